using System.Text.Json;
using LlmGateway.Cli.Releases;

namespace LlmGateway.Cli.History;

/// <summary>One entry of a prompt's history: a change (or approval) with the release before and after it.</summary>
internal sealed record HistoryEvent(
    string? Id,
    DateTimeOffset? At,
    string? Prompt,
    string? Environment,
    string? Action,
    string? Actor,
    string? Reason,
    int? Version,
    ReleaseRecord? Before,
    ReleaseRecord? After,
    JsonElement? Evidence);
