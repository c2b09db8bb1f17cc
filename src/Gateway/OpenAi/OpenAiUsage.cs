namespace LlmGateway.OpenAi;

/// <summary>
/// Token counts as a provider reports them in a <c>usage</c> object: chat and completions spell them
/// <c>prompt_tokens</c>/<c>completion_tokens</c>, the Responses API <c>input_tokens</c>/<c>output_tokens</c>.
/// </summary>
internal readonly record struct OpenAiUsage(int? InputTokens, int? OutputTokens, int? CachedInputTokens, int? ReasoningTokens, int? TotalTokens);
