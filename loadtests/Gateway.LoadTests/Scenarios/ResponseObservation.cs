namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// What a scenario saw in a 2xx response.
/// </summary>
/// <param name="ContentChunkTimestamps">Stopwatch timestamps of each event that carried content; empty when not streamed.</param>
/// <param name="Failure">An error kind when the response was not what the scenario needs (e.g. a stream without <c>[DONE]</c>).</param>
/// <param name="Tag">
/// A short label counted per value in the report (e.g. <c>v1 stable</c> for a prompt response), so a run shows what
/// was served, not only how fast.
/// </param>
internal sealed record ResponseObservation(IReadOnlyList<long> ContentChunkTimestamps, string? Failure, string? Tag = null)
{
    public static ResponseObservation Complete { get; } = new([], null);
}
