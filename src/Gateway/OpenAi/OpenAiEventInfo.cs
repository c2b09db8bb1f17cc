namespace LlmGateway.OpenAi;

/// <summary>
/// One event as a whole: what it was, and where its bytes lie in the stream (from the first byte of
/// its first line to the end of the blank line that ended it), so a filter can drop it exactly.
/// </summary>
internal readonly record struct OpenAiEventInfo(OpenAiEventFlags Flags, long Start, long End)
{
    public bool Is(OpenAiEventFlags flag) => (Flags & flag) != 0;
}
