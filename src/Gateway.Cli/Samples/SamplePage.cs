namespace LlmGateway.Cli.Samples;

/// <summary>A page of samples, newest first; <see cref="NextCursor"/> (when not null) asks for the next one.</summary>
internal sealed record SamplePage(IReadOnlyList<SampleSummary>? Samples, string? NextCursor);
