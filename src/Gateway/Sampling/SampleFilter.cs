namespace LlmGateway.Sampling;

/// <summary>Which samples a listing or export wants; null fields match everything.</summary>
internal sealed record SampleFilter
{
    public string? Prompt { get; init; }

    public int? Version { get; init; }

    public string? Variant { get; init; }

    public string? Model { get; init; }

    public string? Environment { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public bool Matches(SampleSummary sample) =>
        (Prompt is null || sample.Prompt == Prompt)
        && (Version is null || sample.Version == Version)
        && (Variant is null || sample.Variant == Variant)
        && (Model is null || sample.Model == Model)
        && (Environment is null || sample.Environment == Environment)
        && (From is null || sample.Timestamp >= From)
        && (To is null || sample.Timestamp <= To);
}
