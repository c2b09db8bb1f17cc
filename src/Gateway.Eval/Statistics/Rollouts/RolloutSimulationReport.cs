using System.Globalization;
using System.Text;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>Everything <see cref="RolloutSimulation.Run"/> measured, and its text for docs/canary-analysis.md.</summary>
/// <param name="Options">The judge settings simulated.</param>
/// <param name="Seed">The base seed; every rollout's seed derives from it, the scenario and the trial number.</param>
/// <param name="Trials">Rollouts per scenario.</param>
/// <param name="Scenarios">Each scenario's figures.</param>
/// <param name="RepeatedLooks">The confidence sequence against a fixed-sample test under repeated looks.</param>
public sealed record RolloutSimulationReport(
    RolloutOptions Options, ulong Seed, int Trials, IReadOnlyList<RolloutScenarioFigures> Scenarios, IReadOnlyList<RepeatedLooksFigures> RepeatedLooks)
{
    /// <summary>The figures of one scenario.</summary>
    public RolloutScenarioFigures Scenario(SimulatedCanary canary, bool withShadowStep) =>
        Scenarios.Single(s => s.Canary == canary && s.WithShadowStep == withShadowStep);

    /// <summary>Markdown tables of the figures.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        Line(text, Invariant($"Seed {Seed}; {Trials} rollouts per scenario; α = {Options.Alpha:0.###} family-wise, on_inconclusive = {Options.OnInconclusive}, at least {Options.MinimumSamplesForVerdict} readings per arm for a verdict, mixture scale τ = {Options.MixtureScale:0.##} × threshold; {RolloutSimulation.RequestsPerSecond:0} requests/s, a look every {RolloutSimulation.CheckIntervalSeconds} s."));
        Line(text, string.Empty);
        Line(text, "| canary | shadow step | promoted | aborted | paused (harmful) | paused (inconclusive) | aborted naming the metric | aborted by 2nd user step | aborted at shadow | median min to promotion | p95 min to promotion | median min to stop | p95 min to stop |");
        Line(text, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in Scenarios)
        {
            Line(text, Invariant($"| {s.Canary} | {(s.WithShadowStep ? "yes" : "no")} | {Pct(s.Promoted)} | {Pct(s.Aborted)} | {Pct(s.PausedHarmful)} | {Pct(s.PausedInconclusive)} | {Pct(s.AbortedNamingMetric)} | {Pct(s.AbortedByFirstTwoUserSteps)} | {Pct(s.AbortedAtShadow)} | {Min(s.MedianMinutesToPromotion)} | {Min(s.P95MinutesToPromotion)} | {Min(s.MedianMinutesToStop)} | {Min(s.P95MinutesToStop)} |"));
        }

        Line(text, string.Empty);
        Line(text, "Per step (plan order, shadow first when present): median minutes spent in each step by the promoted rollouts, and how many rollouts stopped (abort or pause) at each step.");
        Line(text, string.Empty);
        Line(text, "| canary | shadow step | median minutes per step | stops per step |");
        Line(text, "|---|---|---|---|");
        foreach (var s in Scenarios)
        {
            var minutes = string.Join(" / ", s.MedianMinutesPerStep.Select(Min));
            var stops = string.Join(" / ", s.StopsByStep.Select(c => c.ToString(CultureInfo.InvariantCulture)));
            Line(text, $"| {s.Canary} | {(s.WithShadowStep ? "yes" : "no")} | {minutes} | {stops} |");
        }

        Line(text, string.Empty);
        Line(text, "Repeated looks: one metric of a canary degraded by exactly its threshold (so either verdict is wrong), looked at every 10 s; share of windows in which some look reached each verdict, for the confidence sequence and for a fixed-sample z test at the same per-side α.");
        Line(text, string.Empty);
        Line(text, "| metric | canary weight | minutes | windows | α per side | sequence: harmful | sequence: acceptable | fixed test: harmful at some look | fixed test: acceptable at some look | fixed test: harmful at the last look |");
        Line(text, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in RepeatedLooks)
        {
            Line(text, Invariant($"| {r.Metric} | {r.WeightBps / 100.0:0.#}% | {r.Minutes} | {r.Trials} | {r.Alpha:0.###} | {Pct(r.SequenceHarmful)} | {Pct(r.SequenceAcceptable)} | {Pct(r.FixedHarmful)} | {Pct(r.FixedAcceptable)} | {Pct(r.FixedHarmfulAtEnd)} |"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Min(double minutes) => double.IsNaN(minutes) ? "–" : minutes.ToString("0.0", CultureInfo.InvariantCulture);
}
