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
}
