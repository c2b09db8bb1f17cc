using System.Globalization;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// How values read in every text report: rates as percentages with deltas in points; cost, latency and output
/// tokens as a change relative to the baseline with the absolute change beside it (a +2.6% cost change reads
/// "+2.6% (+$0.00000120)", not "+$0.000001"). A change that rounds to zero is printed without a sign, never "−0.0".
/// </summary>
internal static class ReportFormat
{
    private const string Minus = "\u2212";

    /// <summary>What a value that does not exist prints as (no baseline and no threshold to compare with).</summary>
    private const string Missing = "—";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Value(MetricSource source, MetricKind kind, double value) => (source, kind) switch
    {
        _ when !double.IsFinite(value) => Missing,
        (MetricSource.Cost, _) => "$" + Significant(value),
        (MetricSource.Latency, _) => value.ToString("0", Invariant) + " ms",
        (MetricSource.OutputTokens, _) => value.ToString("0.0", Invariant),
        (_, MetricKind.Rate) => Percent(value),
        _ => value.ToString("0.000", Invariant),
    };

    /// <summary>The delta of <paramref name="metric"/>: relative metrics as a percentage of the baseline with the absolute change beside it.</summary>
    public static string Delta(MetricSource source, MetricComparison metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!double.IsFinite(metric.Delta))
        {
            return Missing;
        }

        return IsRelative(source) && metric.BaselineMean != 0
            ? $"{Relative(metric.Delta, metric.BaselineMean)} ({Absolute(source, metric.Kind, metric.Delta)})"
            : Absolute(source, metric.Kind, metric.Delta);
    }

    /// <summary>The confidence interval of the delta, in the same units as <see cref="Delta"/> (relative metrics: percentages only).</summary>
    public static string Interval(MetricSource source, MetricComparison metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!double.IsFinite(metric.CiLow) || !double.IsFinite(metric.CiHigh))
        {
            return Missing;
        }

        return IsRelative(source) && metric.BaselineMean != 0
            ? $"[{Relative(metric.CiLow, metric.BaselineMean)}, {Relative(metric.CiHigh, metric.BaselineMean)}]"
            : $"[{Absolute(source, metric.Kind, metric.CiLow)}, {Absolute(source, metric.Kind, metric.CiHigh)}]";
    }

    /// <summary>A signed change in the metric's own units: points for rates, dollars, milliseconds, tokens or score.</summary>
    public static string Absolute(MetricSource source, MetricKind kind, double delta) => (source, kind) switch
    {
        (MetricSource.Cost, _) => Signed("$" + Significant(Math.Abs(delta)), delta),
        (MetricSource.Latency, _) => Signed(Math.Abs(delta).ToString("0", Invariant) + " ms", delta),
        (MetricSource.OutputTokens, _) => Signed(Math.Abs(delta).ToString("0.0", Invariant), delta),
        (_, MetricKind.Rate) => Signed((Math.Abs(delta) * 100).ToString("0.0", Invariant) + " pp", delta),
        _ => Signed(Math.Abs(delta).ToString("0.000", Invariant), delta),
    };

    /// <summary>"support@v3 → support@v4", or "support@v1 on absolute thresholds" for a candidate-only run.</summary>
    public static string Title(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Baseline is { } baseline ? $"{baseline} → {run.Candidate}" : $"{run.Candidate} on absolute thresholds";
    }

    /// <summary>"3 repeats", or "1–10 repeats (adaptive)" when cases ran different numbers of them.</summary>
    public static string RepeatsText(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.UniformRepeats)
        {
            return $"{run.Repeats.ToString(Invariant)} repeat{(run.Repeats == 1 ? string.Empty : "s")}";
        }

        var fewest = run.Cases.Min(c => run.RepeatsOf(c.Index));
        return $"{fewest.ToString(Invariant)}–{run.Repeats.ToString(Invariant)} repeats";
    }

    /// <summary>A share as a percentage with one decimal, e.g. 0.02 → "2.0%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.0", Invariant) + "%";

    public static string Verdict(MetricComparison metric) => (metric.Verdict, metric.Gated) switch
    {
        (Statistics.Verdict.Regressed, true) => "REGRESSED",
        (Statistics.Verdict.Regressed, false) => "regressed (not gated)",
        (Statistics.Verdict.Improved, _) => "improved",
        (Statistics.Verdict.Inconclusive, _) => "inconclusive",
        _ when metric.Underpowered => "unchanged (underpowered)",
        _ => "unchanged",
    };

    public static string Result(GateResult result) => result switch
    {
        GateResult.Pass => "PASS",
        GateResult.Fail => "FAIL",
        GateResult.Incomplete => "INCOMPLETE",
        _ => "INCONCLUSIVE",
    };

    public static MetricSource SourceOf(EvalConfig config, string metric) =>
        config.AllMetrics.FirstOrDefault(m => m.Name == metric)?.Source ?? MetricSource.Assertions;

    /// <summary>One failed call for a message: "case 'x' candidate: 403 permission_denied: The key lacks …".</summary>
    public static string CallError(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var execution = record.Execution;
        var status = execution.Status is { } s ? s.ToString(Invariant) + " " : execution.Unreachable ? "unreachable " : string.Empty;
        var code = execution.ErrorCode is { Length: > 0 } c ? c + ": " : string.Empty;
        var side = record.Side == RunSide.Baseline ? "baseline" : "candidate";
        if (execution.Succeeded && record.Assertions.FirstOrDefault(a => a.Result.IsError) is { } unscored)
        {
            return $"case '{record.Case.Key}' {side}: scorer '{unscored.Assertion.Type}' errored: {Truncate(unscored.Result.Error ?? "error", 200)}";
        }

        return $"case '{record.Case.Key}' {side}: {status}{code}{Truncate(execution.Error ?? "failed", 200)}";
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, marking the cut (never inside a surrogate pair).</summary>
    public static string Truncate(string text, int max) => TextCut.Truncate(text, max);

    private static bool IsRelative(MetricSource source) => source is MetricSource.Cost or MetricSource.Latency or MetricSource.OutputTokens;

    private static string Relative(double delta, double baselineMean)
    {
        var percent = delta / Math.Abs(baselineMean) * 100;
        return Signed(Math.Abs(percent).ToString("0.0", Invariant) + "%", percent);
    }

    /// <summary>Signs an already formatted magnitude, leaving a magnitude that rounded to zero unsigned.</summary>
    private static string Signed(string magnitude, double value)
    {
        var isZero = magnitude.All(ch => !char.IsDigit(ch) || ch == '0');
        return isZero ? magnitude : (value < 0 ? Minus : "+") + magnitude;
    }

    /// <summary>Three significant figures, without exponent: 0.00000123 → "0.00000123", 12.3456 → "12.3".</summary>
    private static string Significant(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return "0";
        }

        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 15);
        return value.ToString("F" + decimals.ToString(Invariant), Invariant);
    }
}
