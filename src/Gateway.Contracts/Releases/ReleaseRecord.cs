using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Releases;

/// <summary>
/// The release of one prompt in one environment: exactly the JSON stored at
/// <c>{prefix}:{p:name}:release:{env}</c>, documented for raw <c>redis-cli SET</c> rollbacks. The history's
/// <c>before</c>/<c>after</c> and "active at" carry it as stored; the release endpoints answer
/// <see cref="ReleaseView"/>, the same record named.
/// </summary>
public sealed record ReleaseRecord
{
    [JsonPropertyName("stable")]
    public int? Stable { get; init; }

    [JsonPropertyName("canary")]
    public int? Canary { get; init; }

    /// <summary>Share of traffic to the canary in basis points (0–10000).</summary>
    [JsonPropertyName("canary_weight")]
    public int CanaryWeight { get; init; }

    /// <summary>
    /// Share of the stable arm's requests, in basis points, that is also sent to the canary version off the response
    /// path (a rollout's shadow step: the canary's weight is 0, no user sees it). 0 = no shadow traffic.
    /// </summary>
    [JsonPropertyName("shadow_share")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ShadowShare { get; init; }

    /// <summary><c>auto</c>: X-Session-Id, then the body's <c>user</c>, then the gateway key.</summary>
    [JsonPropertyName("stickiness")]
    public string Stickiness { get; init; } = "auto";

    /// <summary>Mixed into the bucket hash; a new salt reshuffles who lands in the canary.</summary>
    [JsonPropertyName("salt")]
    public string Salt { get; init; } = "";

    /// <summary>This release's sampling policy; null uses the configured defaults.</summary>
    [JsonPropertyName("sampling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReleaseSampling? Sampling { get; init; }

    /// <summary>
    /// While a rollout's canary serves, the rates its plan samples the two arms at (each arm takes the higher of this and
    /// its usual rate); null otherwise, and in a release stored before this field.
    /// </summary>
    [JsonPropertyName("rollout_sampling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Rollouts.RolloutSampling? RolloutSampling { get; init; }

    [JsonPropertyName("previous_stable")]
    public int? PreviousStable { get; init; }

    /// <summary>Bumped by every change; a change may name the revision it expects (compare-and-set).</summary>
    [JsonPropertyName("revision")]
    public long Revision { get; init; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("actor")]
    public string? Actor { get; init; }

    /// <summary>
    /// When the versions or weights were last changed (every change but a sampling edit); null in a release stored
    /// before this field, whose <see cref="UpdatedAt"/> stands for it.
    /// </summary>
    [JsonPropertyName("routed_at")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RoutedAt { get; init; }

    /// <summary>Who last changed the versions or weights (see <see cref="RoutedAt"/>); null before this field, as <see cref="Actor"/>.</summary>
    [JsonPropertyName("routed_by")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RoutedBy { get; init; }

    /// <summary>When the routing was last changed: <see cref="RoutedAt"/>, or <see cref="UpdatedAt"/> for an older release.</summary>
    [JsonIgnore]
    public DateTimeOffset? RoutingChangedAt => RoutedAt ?? UpdatedAt;

    /// <summary>Who last changed the routing: <see cref="RoutedBy"/>, or <see cref="Actor"/> for an older release.</summary>
    [JsonIgnore]
    public string? RoutingChangedBy => RoutedBy ?? Actor;
}
