using System.Text.Json;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Releases;

/// <summary>A requested change to a release, as the admin API and CLI express it.</summary>
internal sealed record ReleaseChange(
    string Action,
    int? Version,
    int? Weight,
    string? Reason,
    long? ExpectedRevision,
    JsonElement? Evidence,
    ReleaseSampling? Sampling = null);
