namespace LlmGateway.Cli.Releases;

/// <summary>
/// A release (one per prompt × environment). API responses add <c>prompt</c> and <c>environment</c>;
/// the copies inside history events and prompt listings may not, so both are optional.
/// <see cref="Sampling"/> is null while the release follows the configured sampling defaults.
/// </summary>
internal sealed record ReleaseRecord(
    string? Prompt,
    string? Environment,
    int? Stable,
    int? Canary,
    int? CanaryWeight,
    string? Stickiness,
    string? Salt,
    SamplingPolicy? Sampling,
    int? PreviousStable,
    long? Revision,
    DateTimeOffset? UpdatedAt,
    string? Actor);
