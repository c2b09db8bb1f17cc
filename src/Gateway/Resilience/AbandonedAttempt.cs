using LlmGateway.Providers;

namespace LlmGateway.Resilience;

/// <summary>An upstream attempt the gateway gave up while its provider went on with it: billed at the attempt's model.</summary>
/// <param name="Number">The attempt's number among the request's attempts (1-based, every model counted).</param>
/// <param name="StartedAt">When the attempt began, a timestamp of the forwarder's time provider.</param>
/// <param name="RequestDeadline">The request's own deadline, a timestamp of the same provider.</param>
internal sealed record AbandonedAttempt(CatalogModel Model, int Number, long StartedAt, long RequestDeadline)
{
    /// <summary>
    /// When the gateway would have stopped waiting for this attempt's answer had the client stayed: its model's total
    /// timeout from the attempt's start, and never past the request's own deadline (a timestamp of the same time provider). The provider may still be generating
    /// until then, so the key's concurrency place stays taken (<see cref="Proxy.KeyConcurrencySlot.ReleaseAfter"/>).
    /// </summary>
    public long Deadline(TimeProvider time) =>
        Math.Min(StartedAt + (long)(Model.Resilience.TotalTimeout.TotalSeconds * time.TimestampFrequency), RequestDeadline);
}
