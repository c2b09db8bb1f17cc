namespace LlmGateway.Cli.Samples;

/// <summary>The filters <c>samples list</c> and <c>samples export</c> share; null means "any".</summary>
internal sealed record SampleFilter(
    string? Prompt,
    int? Version,
    string? Variant,
    string? Model,
    string? Environment,
    DateTimeOffset? From,
    DateTimeOffset? To);
