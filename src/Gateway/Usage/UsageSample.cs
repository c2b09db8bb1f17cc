namespace LlmGateway.Usage;

/// <summary>
/// One finished request, as counted: its dimensions, its minute, and its figures. No latency for a request refused
/// before it was sent (<see cref="Pipeline.ExchangeResult.Refused"/>): its near-zero time would read as a fast version.
/// </summary>
internal readonly record struct UsageSample(
    UsageDimensionKey Dimensions,
    long Minute,
    bool Error,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    long ReasoningTokens,
    long? CostNanoUsd,
    double? LatencyMs);
