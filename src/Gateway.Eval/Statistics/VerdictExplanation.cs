using System.Globalization;

namespace LlmGateway.Eval.Statistics;

/// <summary>
/// One sentence per metric for people reading a CI log, e.g. "accuracy dropped 6.0 pp (95% CI −9.1 to −2.9), beyond
/// the 2 pp tolerance". Rates read in percentage points; continuous metrics in their own units with three
/// significant figures plus the change relative to the baseline, since "+0.00120" alone says little about cost.
/// </summary>
internal static class VerdictExplanation
{
    private const string Minus = "\u2212";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Describe(string name, MetricKind kind, MetricGate gate, BootstrapResult result, MetricDecision decision, int? repeatsNeeded = null)
    {
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(decision);
        var confidence = (result.Confidence * 100).ToString("0.##", Invariant);
        var interval = $"{confidence}% CI {Signed(result.CiLow, kind)} to {Signed(result.CiHigh, kind)}";
        var magnitude = Magnitude(Math.Abs(result.Delta), kind);
        var change = IsZero(magnitude)
            ? $"{name} did not change ({interval})"
            : $"{name} {(result.Delta < 0 ? "dropped" : "rose")} {magnitude}{(kind == MetricKind.Rate ? " pp" : string.Empty)} ({Relative(result, kind)}{interval})";
        var tolerance = Tolerance(gate, kind);
        var sentence = change + decision.Verdict switch
        {
            Verdict.Regressed => $", beyond the {tolerance} tolerance",
            Verdict.Improved => ", a significant improvement",
            Verdict.Inconclusive => $": cannot rule out a regression beyond the {tolerance} tolerance; {Settle(decision.MoreCasesNeeded, repeatsNeeded)}",
            _ when decision.Underpowered => $", not significant but underpowered: the CI reaches beyond the {tolerance} tolerance, so a regression that size would have gone unseen; {Settle(decision.MoreCasesNeeded, repeatsNeeded)}",
            _ => IsSignificantRegression(result, gate) ? $", within the {tolerance} tolerance" : ", not significant",
        };
        return gate.Gated ? sentence : sentence + " (not gated)";
    }

    private static bool IsSignificantRegression(BootstrapResult result, MetricGate gate) =>
        gate.Direction == MetricDirection.HigherIsBetter ? result.CiHigh < 0 : result.CiLow > 0;

    private static string Settle(long? moreCases, int? repeatsNeeded) => (moreCases, repeatsNeeded) switch
    {
        ({ } more, { } repeats) => $"about {RoundUpToTwoFigures(more).ToString("N0", Invariant)} more cases, or {repeats.ToString(Invariant)} repeats per case, would settle it",
        ({ } more, null) => $"about {RoundUpToTwoFigures(more).ToString("N0", Invariant)} more cases would settle it",
        _ => "more cases will not settle it while the delta sits on the tolerance boundary",
    };

    /// <summary>"About" 1,300 reads more honestly than 1,287: the estimate assumes the CI keeps its shape.</summary>
    private static long RoundUpToTwoFigures(long value)
    {
        long scale = 1;
        while (value / scale >= 100)
        {
            scale *= 10;
        }

        return (value + scale - 1) / scale * scale;
    }

    private static string Tolerance(MetricGate gate, MetricKind kind)
    {
        if (gate.Tolerance == 0)
        {
            return "zero";
        }

        return gate.ToleranceKind == ToleranceKind.Relative
            ? (gate.Tolerance * 100).ToString("0.##", Invariant) + "%"
            : kind == MetricKind.Rate ? (gate.Tolerance * 100).ToString("0.##", Invariant) + " pp" : Magnitude(gate.Tolerance, kind);
    }

    private static string Relative(BootstrapResult result, MetricKind kind)
    {
        if (kind == MetricKind.Rate || result.BaselineMean == 0)
        {
            return string.Empty;
        }

        var percent = result.Delta / Math.Abs(result.BaselineMean) * 100;
        return SignedText(percent.ToString("0.0", Invariant), percent) + "%; ";
    }

    private static string Signed(double value, MetricKind kind) => SignedText(Magnitude(Math.Abs(value), kind), value);

    private static string SignedText(string magnitude, double value)
    {
        magnitude = magnitude.TrimStart('-');
        return IsZero(magnitude) ? magnitude : (value < 0 ? Minus : "+") + magnitude;
    }

    private static bool IsZero(string formatted) => formatted.All(ch => ch is '0' or '.' or '-');

    /// <summary>Percentage points with one decimal for rates; three significant figures otherwise.</summary>
    private static string Magnitude(double value, MetricKind kind)
    {
        if (kind == MetricKind.Rate)
        {
            return (value * 100).ToString("0.0", Invariant);
        }

        if (value == 0)
        {
            return "0";
        }

        var decimals = Math.Clamp(2 - (int)Math.Floor(Math.Log10(value)), 0, 12);
        return value.ToString("F" + decimals.ToString(Invariant), Invariant);
    }
}
