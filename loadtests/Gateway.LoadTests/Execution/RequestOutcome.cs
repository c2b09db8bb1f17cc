using System.Diagnostics;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// One finished request, as Stopwatch timestamps. <see cref="IntendedStart"/> is when the load model wanted it
/// sent; <see cref="SentAt"/> when it actually was. They differ only in the open model, when the generator runs late.
/// </summary>
internal sealed record RequestOutcome(
    long IntendedStart,
    long SentAt,
    long CompletedAt,
    string? Error,
    long ResponseBytes,
    IReadOnlyList<long> ContentChunkTimestamps,
    bool Aborted,
    string? Tag = null)
{
    public bool Succeeded => Error is null && !Aborted;

    public static RequestOutcome Failed(long intendedStart, long sentAt, string error, long responseBytes, IReadOnlyList<long>? contentChunks = null) =>
        new(intendedStart, sentAt, Stopwatch.GetTimestamp(), error, responseBytes, contentChunks ?? [], Aborted: false);

    /// <summary>Cut short by Ctrl+C: neither a success nor the server's fault.</summary>
    public static RequestOutcome Interrupted(long intendedStart, long sentAt) =>
        new(intendedStart, sentAt, Stopwatch.GetTimestamp(), null, 0, [], Aborted: true);
}
