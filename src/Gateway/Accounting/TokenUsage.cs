namespace LlmGateway.Accounting;

/// <summary>
/// Tokens of one request. <see cref="CachedInputTokens"/> is the part of <see cref="InputTokens"/>
/// the provider served from cache; <see cref="ReasoningTokens"/> the part of <see cref="OutputTokens"/>
/// spent reasoning (both are billed within their totals). <see cref="AudioInputTokens"/> and <see cref="AudioOutputTokens"/>
/// are the parts of the input and output that were audio, billed at the model's audio prices.
/// </summary>
internal sealed record TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens, long AudioInputTokens = 0, long AudioOutputTokens = 0);
