namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>The judge's decision at one look, with every metric's verdict as evidence.</summary>
/// <param name="Action">What the controller does.</param>
/// <param name="Reason">Why.</param>
/// <param name="Metric">
/// The metric behind an <see cref="RolloutAction.Abort"/> or <see cref="RolloutAction.Pause"/> (the harmful one
/// furthest past its critical value, or the first undecided one at the maximum duration); null otherwise.
/// </param>
/// <param name="Verdicts">Each metric's comparison, in the order the metrics were given.</param>
public sealed record RolloutDecision(RolloutAction Action, RolloutDecisionReason Reason, string? Metric, IReadOnlyList<RolloutMetricVerdict> Verdicts);
