namespace LlmGateway.LoadTests.BehaviourChart;

/// <summary>One series of the behaviour API's answer: its label and its per-minute points (minute start, mean, count).</summary>
internal sealed record ArmSeries(string Label, IReadOnlyList<(DateTimeOffset At, double? Mean, long Count)> Points, double? TotalMean, long TotalCount);
