using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Releases;

/// <summary>
/// A release as the admin API returns it: the stored <see cref="ReleaseRecord"/>, named by its prompt and
/// environment. The answer of <c>GET</c> and of every change under <c>/admin/v1/prompts/{name}/releases/{env}</c>,
/// and each environment's entry in the prompt list and detail. Unlike the stored record, a null
/// <see cref="Sampling"/> is written (<c>"sampling":null</c>: the configured defaults apply).
/// </summary>
public sealed record ReleaseView
{
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }

    [JsonPropertyName("environment")] public required string Environment { get; init; }

    [JsonPropertyName("stable")] public int? Stable { get; init; }

    [JsonPropertyName("canary")] public int? Canary { get; init; }

    /// <summary>Share of traffic to the canary in basis points (0–10000).</summary>
    [JsonPropertyName("canary_weight")] public int CanaryWeight { get; init; }

    /// <summary>Share of the stable arm's requests also sent to the canary off the response path, in basis points (a rollout's shadow step).</summary>
    [JsonPropertyName("shadow_share")] public int ShadowShare { get; init; }

    [JsonPropertyName("stickiness")] public string? Stickiness { get; init; }

    [JsonPropertyName("salt")] public string? Salt { get; init; }

    [JsonPropertyName("sampling")] public ReleaseSampling? Sampling { get; init; }

    /// <summary>While a rollout's canary serves, the rates its plan samples the arms at; left out otherwise.</summary>
    [JsonPropertyName("rollout_sampling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Rollouts.RolloutSampling? RolloutSampling { get; init; }

    [JsonPropertyName("previous_stable")] public int? PreviousStable { get; init; }

    [JsonPropertyName("revision")] public long Revision { get; init; }

    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("actor")] public string? Actor { get; init; }

    /// <summary>The stored record of <paramref name="prompt"/> in <paramref name="environment"/>, named.</summary>
    public static ReleaseView From(string prompt, string environment, ReleaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new()
        {
            Prompt = prompt,
            Environment = environment,
            Stable = record.Stable,
            Canary = record.Canary,
            CanaryWeight = record.CanaryWeight,
            ShadowShare = record.ShadowShare,
            Stickiness = record.Stickiness,
            Salt = record.Salt,
            Sampling = record.Sampling,
            RolloutSampling = record.RolloutSampling,
            PreviousStable = record.PreviousStable,
            Revision = record.Revision,
            UpdatedAt = record.UpdatedAt,
            Actor = record.Actor,
        };
    }
}
