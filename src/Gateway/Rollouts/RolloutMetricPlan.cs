using LlmGateway.Behaviour;

namespace LlmGateway.Rollouts;

/// <summary>A validated analysis metric: the behaviour series it reads and how it is judged.</summary>
internal sealed record RolloutMetricPlan(string Metric, MetricKind Kind, bool LowerIsBetter, double Threshold, bool Relative, bool CanAbort);
