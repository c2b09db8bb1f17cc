namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>One metric's false alarms over the simulated A/A hours.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Scale">Its scale, which picks the threshold.</param>
/// <param name="Rate">Share of hours in which the evaluator recorded at least one change on this metric.</param>
/// <param name="HourMaxP95">95th percentile over hours of the largest statistic any look saw (scanning from the hour's start).</param>
/// <param name="HourMaxP99">99th percentile of the same: the threshold that would give this metric 1% false-alarm hours.</param>
public sealed record MetricFalseAlarms(SimulatedMetric Metric, MetricScale Scale, double Rate, double HourMaxP95, double HourMaxP99);
