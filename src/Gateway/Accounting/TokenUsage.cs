namespace LlmGateway.Accounting;

/// <summary>
/// Tokens of one request. <see cref="CachedInputTokens"/> is the part of <see cref="InputTokens"/>
/// the provider served from cache; <see cref="ReasoningTokens"/> the part of <see cref="OutputTokens"/>
/// spent reasoning (both are billed within their totals).
/// </summary>
internal sealed record TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens);
