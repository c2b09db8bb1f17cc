namespace LlmGateway.Usage;

/// <summary>One finished request, as counted: its dimensions, its minute, and its figures.</summary>
internal readonly record struct UsageSample(
    UsageDimensionKey Dimensions,
    long Minute,
    bool Error,
    long InputTokens,
    long CachedInputTokens,
    long OutputTokens,
    long ReasoningTokens,
    long? CostNanoUsd,
    double LatencyMs);
