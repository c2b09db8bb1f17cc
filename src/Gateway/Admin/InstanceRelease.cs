using System.Text.Json.Serialization;
using LlmGateway.Contracts.Releases;

namespace LlmGateway.Admin;

/// <summary>One release as this instance serves it.</summary>
internal sealed record InstanceRelease(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("environment")] string Environment,
    [property: JsonPropertyName("stable")] int? Stable,
    [property: JsonPropertyName("canary")] int? Canary,
    [property: JsonPropertyName("canary_weight")] int CanaryWeight,
    [property: JsonPropertyName("revision")] long Revision,
    [property: JsonPropertyName("sampling")] ReleaseSampling? Sampling,
    [property: JsonPropertyName("rollout_sampling"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Contracts.Rollouts.RolloutSampling? RolloutSampling = null);
