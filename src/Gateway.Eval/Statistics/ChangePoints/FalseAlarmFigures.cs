namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>A/A hours at one traffic level.</summary>
/// <param name="SamplesPerMinute">Mean samples a minute (Poisson counts), both arms together.</param>
/// <param name="Trials">Simulated hours.</param>
/// <param name="PerMetric">Each metric's false-alarm share.</param>
/// <param name="FamilyWise">Share of hours with a recorded change on any metric.</param>
public sealed record FalseAlarmFigures(double SamplesPerMinute, int Trials, IReadOnlyList<MetricFalseAlarms> PerMetric, double FamilyWise);
