namespace LlmGateway.OpenAi;

/// <summary>What the reader made of one data event (or a whole JSON body).</summary>
[Flags]
internal enum OpenAiEventFlags
{
    None = 0,

    /// <summary>Not a whole JSON object (or too large): nothing of it reached the observers.</summary>
    Malformed = 1,

    /// <summary>A string held invalid UTF-8 or a lone surrogate escape: read with U+FFFD in its place.</summary>
    InvalidText = 2,

    /// <summary><c>"choices": []</c> with a <c>usage</c> object: the chunk <c>include_usage</c> adds.</summary>
    UsageOnly = 4,

    /// <summary>The <c>[DONE]</c> sentinel.</summary>
    Done = 8,

    /// <summary>The event carried an error (an <c>error</c> object, or a Responses API <c>error</c> event).</summary>
    Error = 16,
}
