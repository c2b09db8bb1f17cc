using System.Text.Json.Serialization;
using LlmGateway.Releases;

namespace LlmGateway.Admin;

/// <summary>A release as the admin API returns it: the stored record, named.</summary>
internal sealed record ReleaseView
{
    [JsonPropertyName("prompt")] public required string Prompt { get; init; }
    [JsonPropertyName("environment")] public required string Environment { get; init; }
    [JsonPropertyName("stable")] public int? Stable { get; init; }
    [JsonPropertyName("canary")] public int? Canary { get; init; }
    [JsonPropertyName("canary_weight")] public int CanaryWeight { get; init; }
    [JsonPropertyName("stickiness")] public string? Stickiness { get; init; }
    [JsonPropertyName("salt")] public string? Salt { get; init; }
    [JsonPropertyName("sampling")] public ReleaseSampling? Sampling { get; init; }
    [JsonPropertyName("previous_stable")] public int? PreviousStable { get; init; }
    [JsonPropertyName("revision")] public long Revision { get; init; }
    [JsonPropertyName("updated_at")] public DateTimeOffset? UpdatedAt { get; init; }
    [JsonPropertyName("actor")] public string? Actor { get; init; }

    public static ReleaseView From(string prompt, string environment, ReleaseRecord record) => new()
    {
        Prompt = prompt,
        Environment = environment,
        Stable = record.Stable,
        Canary = record.Canary,
        CanaryWeight = record.CanaryWeight,
        Stickiness = record.Stickiness,
        Salt = record.Salt,
        Sampling = record.Sampling,
        PreviousStable = record.PreviousStable,
        Revision = record.Revision,
        UpdatedAt = record.UpdatedAt,
        Actor = record.Actor,
    };
}
