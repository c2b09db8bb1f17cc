namespace LlmGateway.OpenAi;

/// <summary>The kinds of <see cref="OpenAiEffect"/>, one per observer callback that carries text.</summary>
internal enum OpenAiEffectKind
{
    Text,
    Refusal,
    OutputStart,
    OutputText,
    OutputRefusal,
    ToolCall,

    /// <summary>Text or refusal of a choice other than 0 (n &gt; 1): only what an output estimate needs.</summary>
    OtherChoiceText,

    /// <summary>
    /// Generated output that is neither the answer's text nor a function call the client runs (a custom tool's input, an
    /// MCP call's arguments, the code interpreter's code, in the Responses API): only what an output estimate needs.
    /// </summary>
    OtherOutput,
}
