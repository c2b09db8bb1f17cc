using System.Globalization;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.EvalRuns;

namespace LlmGateway.Cli.Prompts;

/// <summary>
/// A version's newest evaluation run in words, as <c>prompts show</c> lists it (<c>latest_eval</c>): the run's id,
/// verdict, baseline and gated metrics.
/// </summary>
internal static class EvalSummaryText
{
    /// <summary><c>eval: pass vs v2 (accuracy +1.2 pp, cost -3%) evr_…</c></summary>
    public static string Describe(this EvalRunSummary summary)
    {
        // Read leniently (see CliJsonContext.Lenient): an answer without metrics still describes the run.
        var metrics = (summary.Metrics ?? []).Where(m => !string.IsNullOrEmpty(m.Name)).Select(m => $"{m.Name} {m.DeltaText()}").ToList();
        var detail = metrics.Count > 0 ? $" ({string.Join(", ", metrics)})" : "";
        return $"eval: {Display.Text(summary.Verdict)} vs {Display.Version(summary.BaselineVersion)}{detail} {Display.Text(summary.Id)}";
    }

    /// <summary>
    /// The change, in the units that read best without knowing the metric's kind: a rate or score between 0 and 1
    /// in percentage points (<c>+1.2 pp</c>); cost, latency and token metrics and anything else relative to the
    /// baseline (<c>-3%</c>); the bare delta when the baseline is zero or unknown.
    /// </summary>
    public static string DeltaText(this EvalRunMetric metric)
    {
        if (metric.Delta is not { } delta || !double.IsFinite(delta))
        {
            return TextTable.Missing;
        }

        if (!IsAmount(metric.Name) && metric.Baseline is { } b && metric.Candidate is { } c && b is >= 0 and <= 1 && c is >= 0 and <= 1)
        {
            return Signed(delta * 100, "0.0") + " pp";
        }

        return metric.Baseline is { } baseline && baseline != 0 && double.IsFinite(baseline)
            ? Signed(delta / Math.Abs(baseline) * 100, "0.#") + "%"
            : Signed(delta, "0.###");
    }

    // The run record does not carry the metric's kind; the engine's cost, latency and token metrics are amounts
    // (a cost of $0.02 per call is not a rate), so they read relative even between 0 and 1.
    private static bool IsAmount(string? name) =>
        name is not null && (name.Contains("cost", StringComparison.OrdinalIgnoreCase)
            || name.Contains("latency", StringComparison.OrdinalIgnoreCase)
            || name.Contains("token", StringComparison.OrdinalIgnoreCase));

    private static string Signed(double value, string format)
    {
        var text = value.ToString(format, CultureInfo.InvariantCulture);
        return value > 0 && text != "0" ? "+" + text : text;
    }
}
