namespace LlmGateway.OpenAi;

/// <summary>
/// Token counts as a provider reports them in a <c>usage</c> object: chat and completions spell them
/// <c>prompt_tokens</c>/<c>completion_tokens</c>, the Responses API <c>input_tokens</c>/<c>output_tokens</c>. The audio
/// counts are the <c>audio_tokens</c> of <c>prompt_tokens_details</c> and <c>completion_tokens_details</c>: parts of the
/// input and output, priced apart.
/// </summary>
internal readonly record struct OpenAiUsage(
    int? InputTokens, int? OutputTokens, int? CachedInputTokens, int? ReasoningTokens, int? TotalTokens, int? AudioInputTokens = null, int? AudioOutputTokens = null);
