namespace LlmGateway.Streaming;

/// <summary>Token counts as a provider reports them in a <c>usage</c> object.</summary>
internal sealed record StreamedUsage(int? PromptTokens, int? CompletionTokens, int? CachedPromptTokens, int? ReasoningTokens, int? TotalTokens);
