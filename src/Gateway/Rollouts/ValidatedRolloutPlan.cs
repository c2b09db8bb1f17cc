namespace LlmGateway.Rollouts;

/// <summary>A plan that passed validation, in the controller's units.</summary>
internal sealed record ValidatedRolloutPlan(IReadOnlyList<RolloutStepPlan> Steps, IReadOnlyList<RolloutMetricPlan> Metrics, bool PauseWhenInconclusive);
