namespace LlmGateway.Cli.History;

/// <summary><c>GET …/active</c>: the release in force at an instant and the event that put it there (both null before the first).</summary>
internal sealed record ActiveRelease(
    string? Prompt,
    string? Environment,
    DateTimeOffset? At,
    Releases.ReleaseRecord? Release,
    HistoryEvent? Event);
