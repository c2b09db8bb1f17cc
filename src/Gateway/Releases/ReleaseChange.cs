using System.Text.Json;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Releases;

/// <summary>
/// A requested change to a release, as the admin API and CLI express it. <see cref="ShadowShare"/> (basis points) goes
/// with a canary start at weight 0 only: the rollout controller's shadow step.
/// </summary>
internal sealed record ReleaseChange(
    string Action,
    int? Version,
    int? Weight,
    string? Reason,
    long? ExpectedRevision,
    JsonElement? Evidence,
    ReleaseSampling? Sampling = null,
    int ShadowShare = 0);
