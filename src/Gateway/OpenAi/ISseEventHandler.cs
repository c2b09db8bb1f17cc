namespace LlmGateway.OpenAi;

/// <summary>Receives the events <see cref="SseFramer"/> finds.</summary>
internal interface ISseEventHandler
{
    /// <param name="data">The event's data lines, joined with <c>\n</c>; valid only during the call.</param>
    /// <param name="start">Stream offset of the event's first line.</param>
    /// <param name="end">Stream offset just past the blank line that ended it (or the end of the stream).</param>
    /// <param name="oversized">The event passed the size cap: <paramref name="data"/> is incomplete.</param>
    void OnEvent(ReadOnlySpan<byte> data, long start, long end, bool oversized);
}
