using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Rewriting;

namespace LlmGateway.Routing;

/// <summary>
/// The bundle version that serves one request, and why (<see cref="Variants"/>), with the
/// release's sampling policy (null: pinned, or the configured defaults apply).
/// </summary>
/// <param name="ShadowVersion">
/// A stable request drawn for a rollout's shadow step: this candidate version answers a copy of it, off the
/// response path, after the client has its answer.
/// </param>
/// <param name="PairedWith">A shadow call: the sample id of the stable request it copies.</param>
/// <param name="RolloutSampling">
/// A stable or canary request while a rollout's canary serves: the rates its plan samples the arms at (the release's
/// <c>rollout_sampling</c>, the record's own instance: nothing is allocated for it).
/// </param>
/// <param name="Stickiness">
/// A stable or canary request: the key it was assigned by (<see cref="PromptRouter.StickinessKey"/>), with the release's
/// <paramref name="Salt"/>. Kept as the strings the router already had (nothing computed per request): only a sampled
/// request's is hashed, by the sample writer, into its <see cref="Sampling.SampleRecord.Unit"/>.
/// </param>
internal sealed record PromptSelection(
    PreparedBundle Bundle,
    string Variant,
    string Environment,
    ReleaseSampling? Sampling = null,
    int? ShadowVersion = null,
    string? PairedWith = null,
    RolloutSampling? RolloutSampling = null,
    string? Stickiness = null,
    string? Salt = null);
