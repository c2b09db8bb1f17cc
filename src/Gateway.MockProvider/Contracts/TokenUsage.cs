namespace LlmGateway.MockProvider.Contracts;

/// <summary>Usage block of chat and legacy completions.</summary>
internal sealed record TokenUsage(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    public static TokenUsage Of(int promptTokens, int completionTokens) =>
        new(promptTokens, completionTokens, promptTokens + completionTokens);
}
