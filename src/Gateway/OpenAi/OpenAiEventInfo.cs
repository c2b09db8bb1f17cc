namespace LlmGateway.OpenAi;

/// <summary>
/// One event as a whole: what it was, and where its bytes lie in the stream (from the first byte of
/// its first line to the end of the blank line that ended it), so a filter can drop it exactly. A blank line ended by a
/// CR at the end of a read ends its event there: an LF that comes in the next read (a split CRLF) lies between events.
/// </summary>
internal readonly record struct OpenAiEventInfo(OpenAiEventFlags Flags, long Start, long End)
{
    public bool Is(OpenAiEventFlags flag) => (Flags & flag) != 0;
}
