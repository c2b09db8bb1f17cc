namespace LlmGateway.LoadTests.Scenarios;

/// <summary>
/// What a scenario saw in a 2xx response body.
/// </summary>
/// <param name="ContentChunkTimestamps">Stopwatch timestamps of each event that carried content; empty when not streamed.</param>
/// <param name="Failure">An error kind when the body was not what the scenario needs (e.g. a stream without <c>[DONE]</c>).</param>
internal sealed record ResponseObservation(IReadOnlyList<long> ContentChunkTimestamps, string? Failure)
{
    public static ResponseObservation Complete { get; } = new([], null);
}
