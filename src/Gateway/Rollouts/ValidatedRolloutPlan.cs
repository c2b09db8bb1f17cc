using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>A plan that passed validation, in the controller's units; <see cref="Sampling"/> with both rates resolved.</summary>
internal sealed record ValidatedRolloutPlan(IReadOnlyList<RolloutStepPlan> Steps, IReadOnlyList<RolloutMetricPlan> Metrics, bool PauseWhenInconclusive, RolloutSampling Sampling);
