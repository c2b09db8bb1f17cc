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
    /// MCP call's arguments, the code interpreter's code, in the Responses API; reasoning text a provider shows): only what
    /// an output estimate needs. From a stream's deltas, or a chat message.
    /// </summary>
    OtherOutput,

    /// <summary>
    /// The same kind of output in a Responses API answer's whole <c>output</c> (a body, or a stream's final event, which
    /// repeats its deltas): the fuller of it and the deltas counts.
    /// </summary>
    OutputOther,

    /// <summary>
    /// A Responses API output item that is a call of a tool the provider runs (<c>web_search_call</c>, …): its type, and
    /// its output index in <see cref="OpenAiEffect.Index"/>. Such calls cost a fee each beside the tokens.
    /// </summary>
    ProviderToolCall,
}
