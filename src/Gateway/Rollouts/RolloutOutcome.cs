using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Releases;

namespace LlmGateway.Rollouts;

/// <summary>What a rollout request came to: the rollout, or why not (a refusal, or the plan's problems with their fields).</summary>
internal sealed record RolloutOutcome(RolloutView? View, ReleaseRefusal? Refusal = null, IReadOnlyList<FieldError>? PlanErrors = null);
