using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Rollouts;

/// <summary>
/// One step of a rollout plan: a canary weight held until it is judged, Argo-style. Durations are strings such as
/// <c>30s</c>, <c>5m</c>, <c>1h</c>.
/// </summary>
public sealed record RolloutPlanStep
{
    /// <summary>The canary's share of traffic in percent (0 &lt; weight ≤ 100). Absent on a shadow step.</summary>
    [JsonPropertyName("weight")]
    public double? Weight { get; init; }

    /// <summary>A shadow step: no user sees the candidate; a share of the stable arm's requests is also sent to it, off the response path.</summary>
    [JsonPropertyName("shadow")]
    public bool? Shadow { get; init; }

    /// <summary>Shadow steps: the share of stable requests mirrored to the candidate (0 &lt; share ≤ 1). Default 0.1.</summary>
    [JsonPropertyName("share")]
    public double? Share { get; init; }

    /// <summary>The least time in the step before it may advance. Default 5m.</summary>
    [JsonPropertyName("min_duration")]
    public string? MinDuration { get; init; }

    /// <summary>The least analysed samples per arm before it may advance. Default 100.</summary>
    [JsonPropertyName("min_samples")]
    public long? MinSamples { get; init; }

    /// <summary>
    /// Weight steps: the least distinct users or sessions (assignment units) per arm before it may advance. Requests are
    /// assigned to arms per unit (X-Session-Id, else the body's <c>user</c>, else the gateway key), so an arm of a few
    /// units compares those units, not the versions. Default 20. Not on shadow steps.
    /// </summary>
    [JsonPropertyName("min_units")]
    public long? MinUnits { get; init; }

    /// <summary>After this long without a conclusion the plan's <c>on_inconclusive</c> applies. Default 3 × min_duration.</summary>
    [JsonPropertyName("max_duration")]
    public string? MaxDuration { get; init; }
}
