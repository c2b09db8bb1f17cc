using System.Globalization;
using System.Text;

namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>Everything <see cref="ChangePointSimulation.Run"/> measured, and its text for docs/change-detection.md.</summary>
/// <param name="Options">The detector settings simulated.</param>
/// <param name="Seed">The base seed; every trial's seed derives from it, the traffic level or step and the trial number.</param>
/// <param name="FalseAlarms">A/A hours at each traffic level.</param>
/// <param name="Power">Steps at minute 30.</param>
public sealed record ChangePointSimulationReport(
    ChangePointOptions Options,
    ulong Seed,
    IReadOnlyList<FalseAlarmFigures> FalseAlarms,
    IReadOnlyList<PowerFigures> Power)
{
    /// <summary>Markdown tables of the figures.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        var o = Options;
        Line(text, string.Create(CultureInfo.InvariantCulture, $"Seed {Seed}; rate threshold {o.RateThreshold:0.##}, value threshold {o.ValueThreshold:0.##}, at least {o.MinimumSamplesEachSide} samples and {o.MinimumBucketsEachSide} minutes each side, window ≤ {o.MaxWindowBuckets} minutes, value noise floor {o.ValueNoiseFloor:0.###} × RMS."));
        Line(text, string.Empty);
        var metrics = FalseAlarms.Count == 0 ? [] : FalseAlarms[0].PerMetric.Select(m => m.Metric.ToString()).ToList();
        var names = string.Concat(metrics.Select(m => $" {m} |"));
        var rules = string.Concat(metrics.Select(_ => "---:|"));
        Line(text, "A/A: share of simulated hours with a recorded change (a look every minute, restarting at each recorded change).");
        Line(text, string.Empty);
        Line(text, "| samples/min | hours |" + names + " any metric |");
        Line(text, "|---:|---:|" + rules + "---:|");
        foreach (var figures in FalseAlarms)
        {
            var cells = string.Concat(figures.PerMetric.Select(m => $" {Pct(m.Rate)} |"));
            Line(text, string.Create(CultureInfo.InvariantCulture, $"| {figures.SamplesPerMinute:0} | {figures.Trials} |{cells} **{Pct(figures.FamilyWise)}** |"));
        }

        Line(text, string.Empty);
        Line(text, "A/A: 99th percentile over hours of the largest statistic any look saw before a change was recorded (the threshold that would give that metric 1% false-alarm hours).");
        Line(text, string.Empty);
        Line(text, "| samples/min |" + names);
        Line(text, "|---:|" + rules);
        foreach (var figures in FalseAlarms)
        {
            var cells = string.Concat(figures.PerMetric.Select(m => string.Create(CultureInfo.InvariantCulture, $" {m.HourMaxP99:0.0} |")));
            Line(text, string.Create(CultureInfo.InvariantCulture, $"| {figures.SamplesPerMinute:0} |{cells}"));
        }

        Line(text, string.Empty);
        Line(text, "Steps at minute 30 of the hour (all traffic), detection by the end of minute 60. Samples and minutes to detection, and the boundary, are of the detected hours.");
        Line(text, string.Empty);
        Line(text, "| step | samples/min | hours | detected | wrong direction | false alarm before step | median samples after step | p95 samples after step | median minutes | boundary within ±2 min |");
        Line(text, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in Power)
        {
            Line(text, string.Create(CultureInfo.InvariantCulture, $"| {p.Step} | {p.SamplesPerMinute:0} | {p.Trials} | {Pct(p.Detected)} | {Pct(p.WrongDirection)} | {Pct(p.FalseAlarmBeforeStep)} | {p.MedianSamplesToDetection:0} | {p.P95SamplesToDetection:0} | {p.MedianMinutesToDetection:0.#} | {Pct(p.BoundaryWithinTwoMinutes)} |"));
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
