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
}
