using System.Globalization;
using System.Text;
using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// Calibrates the quantile comparison (<see cref="RolloutComparison.CompareQuantiles"/>) by seeded simulation, as a
/// rollout step sees it: lognormal latencies (σ = 0.5 on the log scale, mean 800 ms), 20 requests a second split by the
/// step's weight, a look every 10 seconds for the step's longest duration, judged on the p95 with a +20% relative
/// threshold. Each trial records whether the p95 was ever called harmful or acceptable, and whether the mean (the
/// default plan's <c>latency_ms</c>, +20% relative) was ever called harmful on the same readings.
/// </summary>
public static class QuantileSimulation
{
    public const int DefaultTrials = 200;
    public const ulong DefaultSeed = 20261207;

    private const double RequestsPerSecond = 20;
    private const int LookSeconds = 10;
    private const double MeanLatencyMs = 800;
    private const double StableSigma = 0.5;
    private const double Quantile = 0.95;
    private const double Threshold = 0.2;

    /// <summary>The per-side α of one metric of the default plan with <c>latency_ms.p95</c> and <c>ttft_ms.p95</c> added: 0.05 / (7 metrics × 3 steps).</summary>
    public static double PlanAlpha => RolloutJudge.MetricAlpha(RolloutOptions.Default, 7, 3);

    /// <summary>The scenarios of the documented run.</summary>
    public static IReadOnlyList<QuantileScenario> Scenarios { get; } =
    [
        new("A/A at the plan's α", 1.0, 500, 60, PlanAlpha),
        new("A/A at the plan's α", 1.0, 2500, 20, PlanAlpha),
        new("A/A at α = 5% (one metric's whole budget)", 1.0, 500, 60, 0.05),
        new("p95 +20% (at the threshold), mean unchanged, α = 5%", 1.2, 500, 60, 0.05),
        new("p95 +50%, mean unchanged", 1.5, 500, 60, PlanAlpha),
        new("p95 +50%, mean unchanged", 1.5, 2500, 20, PlanAlpha),
        new("p95 +75%, mean unchanged", 1.75, 500, 60, PlanAlpha),
        new("p95 +75%, mean unchanged", 1.75, 2500, 20, PlanAlpha),
        new("p95 +30%, mean unchanged", 1.3, 2500, 20, PlanAlpha),
    ];

    /// <summary>Runs every scenario (in parallel; each trial has its own seed, so the figures do not depend on the scheduling).</summary>
    public static IReadOnlyList<QuantileScenarioFigures> Run(int trials = DefaultTrials, ulong seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        var figures = new QuantileScenarioFigures[Scenarios.Count];
        Parallel.For(0, Scenarios.Count, i => figures[i] = Measure(Scenarios[i], i, trials, seed));
        return figures;
    }

    /// <summary>The figures as the Markdown table docs/canary-analysis.md quotes.</summary>
    public static string Format(IReadOnlyList<QuantileScenarioFigures> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var text = new StringBuilder();
        text.Append("| canary | weight | minutes | α per side | trials | p95 harmful | p95 acceptable | mean harmful | median min to harmful | median min to acceptable |\n");
        text.Append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        foreach (var f in figures)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"| {f.Scenario.Name} | {f.Scenario.WeightBps / 100.0:0.#}% | {f.Scenario.Minutes} | {f.Scenario.Alpha:0.####} | {f.Trials} | {Pct(f.Harmful)} | {Pct(f.Acceptable)} | {Pct(f.MeanHarmful)} | {Min(f.MedianMinutesToHarmful)} | {Min(f.MedianMinutesToAcceptable)} |\n"));
        }

        return text.ToString();

        static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
        static string Min(double? minutes) => minutes is { } m ? m.ToString("0.0", CultureInfo.InvariantCulture) : "—";
    }

    /// <summary>The canary's σ on the log scale that moves the p95 by <paramref name="ratio"/> with the mean unchanged (a heavier tail, not a slower median).</summary>
    public static double SigmaForP95Ratio(double ratio)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ratio, 1.0);
        var z = StandardNormal.Quantile(Quantile);
        // ln(p95 / mean) = −σ²/2 + z·σ, increasing in σ below z: bisect on [σ₀, z].
        var target = (-(StableSigma * StableSigma) / 2) + (z * StableSigma) + Math.Log(ratio);
        double low = StableSigma, high = z;
        for (var i = 0; i < 100; i++)
        {
            var middle = (low + high) / 2;
            if ((-(middle * middle) / 2) + (z * middle) < target)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return (low + high) / 2;
    }

    private static QuantileScenarioFigures Measure(QuantileScenario scenario, int index, int trials, ulong seed)
    {
        var options = RolloutOptions.Default;
        var p95 = new RolloutMetric("latency_ms.p95", MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, Threshold, CanAbort: false, Quantile);
        var mean = new RolloutMetric("latency_ms", MetricScale.Value, RolloutDirection.LowerIsBetter, RolloutThresholdKind.Relative, Threshold, CanAbort: false);
        var canarySigma = SigmaForP95Ratio(scenario.P95Ratio);
        var perLook = RequestsPerSecond * LookSeconds;
        var canaryPerLook = (int)Math.Round(perLook * scenario.WeightBps / 10_000.0);
        var stablePerLook = (int)perLook - canaryPerLook;
        var looks = scenario.Minutes * 60 / LookSeconds;

        int harmful = 0, acceptable = 0, meanHarmful = 0;
        var minutesToHarmful = new List<double>();
        var minutesToAcceptable = new List<double>();
        var stableCounts = new long[QuantileHistogram.MaxBucket + 1];
        var canaryCounts = new long[QuantileHistogram.MaxBucket + 1];
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new ChangePointRandom(unchecked((seed * 0x9E3779B97F4A7C15UL) + ((ulong)index * 0xBF58476D1CE4E5B9UL) + (ulong)trial));
            Array.Clear(stableCounts);
            Array.Clear(canaryCounts);
            ArmMoments stableMoments = default, canaryMoments = default;
            bool sawHarmful = false, sawAcceptable = false, sawMeanHarmful = false;
            for (var look = 1; look <= looks && !(sawHarmful && sawMeanHarmful); look++)
            {
                for (var r = 0; r < stablePerLook; r++)
                {
                    var value = random.LogNormal(MeanLatencyMs, StableSigma);
                    stableCounts[QuantileHistogram.BucketOf(value)]++;
                    stableMoments = stableMoments.Add(value);
                }

                for (var r = 0; r < canaryPerLook; r++)
                {
                    var value = random.LogNormal(MeanLatencyMs, canarySigma);
                    canaryCounts[QuantileHistogram.BucketOf(value)]++;
                    canaryMoments = canaryMoments.Add(value);
                }

                var minutes = look * LookSeconds / 60.0;
                if (!sawHarmful)
                {
                    var verdict = RolloutComparison.CompareQuantiles(p95, Histogram(stableCounts), Histogram(canaryCounts), paired: false, scenario.Alpha, options).Verdict;
                    if (verdict == RolloutVerdict.Harmful)
                    {
                        sawHarmful = true;
                        minutesToHarmful.Add(minutes);
                    }
                    else if (verdict == RolloutVerdict.Acceptable && !sawAcceptable)
                    {
                        sawAcceptable = true;
                        minutesToAcceptable.Add(minutes);
                    }
                }

                if (!sawMeanHarmful && RolloutComparison.Compare(mean, stableMoments, canaryMoments, scenario.Alpha, options).Verdict == RolloutVerdict.Harmful)
                {
                    sawMeanHarmful = true;
                }
            }

            harmful += sawHarmful ? 1 : 0;
            acceptable += sawAcceptable ? 1 : 0;
            meanHarmful += sawMeanHarmful ? 1 : 0;
        }

        return new QuantileScenarioFigures(
            scenario,
            trials,
            (double)harmful / trials,
            (double)acceptable / trials,
            (double)meanHarmful / trials,
            Median(minutesToHarmful),
            Median(minutesToAcceptable));
    }

    private static QuantileHistogram Histogram(long[] counts) =>
        QuantileHistogram.FromBuckets(counts.Select((count, bucket) => new KeyValuePair<int, long>(bucket, count)).Where(b => b.Value > 0));

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
