namespace LlmGateway.LoadTests.Measurement;

/// <summary>The merged results of a run, plus the requests that were deliberately left out of them.</summary>
/// <param name="Measured">Requests due after the warmup that ran to an outcome.</param>
/// <param name="WarmupRequests">Requests due during the warmup; sent but not measured.</param>
/// <param name="Dropped">Open model: requests due after the warmup that were not sent because the in-flight cap was hit.</param>
/// <param name="Interrupted">Requests aborted by Ctrl+C.</param>
internal sealed record Measurements(StatisticsShard Measured, long WarmupRequests, long Dropped, long Interrupted);
