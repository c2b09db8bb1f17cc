namespace LlmGateway.Cli.Samples;

/// <summary>
/// The sample's accounting: tokens and cost, and whether the provider reported the tokens or the gateway
/// estimated them (<see cref="Source"/>), which says how far to trust the cost.
/// </summary>
internal sealed record SampleUsage(
    string? Model,
    long? InputTokens,
    long? CachedInputTokens,
    long? OutputTokens,
    long? ReasoningTokens,
    string? Source,
    decimal? CostUsd,
    string? FinishReason,
    double? TtftMs,
    string? ResponseModel);
