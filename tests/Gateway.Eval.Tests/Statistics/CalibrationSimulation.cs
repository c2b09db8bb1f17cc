using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Tests.Statistics.Sequential;

namespace LlmGateway.Eval.Tests.Statistics;

/// <summary>
/// Simulated evaluations whose truth we set, run many times through the bootstrap and the verdict rule exactly as
/// <see cref="ComparisonGate"/> composes them: A/A (identical versions under noise) measures the false-alarm rate,
/// A/B (a real drop) the detection rate.
/// </summary>
/// <remarks>
/// Deterministic: trial t draws its data from <c>new SimulationRandom(10_000 + t)</c> (the production xoshiro256**, not
/// <see cref="Random"/>, whose seeded sequence .NET does not promise across versions) and bootstraps with seed t, so
/// every run, on any .NET, sees the same numbers and the thresholds cannot flake. Simulations use 1,000 resamples
/// rather than the default 10,000: the 2.5% tail then rests on 25 resamples, which moves a CI end by a few percent of
/// its width, small next to the sampling noise being measured. With 300 trials a rate near 2.5% is measured to about ±0.9 pp (one SE).
/// The calibration classes are split by subject so the test runner can run them in parallel.
/// </remarks>
internal static class CalibrationSimulation
{
    public const int Cases = 200;
    public const int Trials = 300;
    public const int Resamples = 1_000;

    public static readonly MetricGate AccuracyZeroTolerance = MetricGate.HigherIsBetter(0);
    public static readonly MetricGate Accuracy2pp = MetricGate.HigherIsBetter(0.02);

    /// <summary>
    /// Over the trials: how often the metric is regressed under <paramref name="zeroGate"/> (default: accuracy, zero
    /// tolerance) and under <paramref name="gate"/> (default: accuracy, 2 pp), and how often strict mode calls it
    /// inconclusive under the latter. One bootstrap per trial serves all three verdicts; it is the gate's, floor
    /// included (<see cref="PairedBootstrap.Run(MetricSamples, long)"/>), for a metric of <paramref name="kind"/>. <paramref name="flatten"/>
    /// treats every run as its own case, the mistake the cluster bootstrap exists to avoid.
    /// </summary>
    public static (double RegressedAtZero, double Regressed, double Inconclusive) Rates(
        Func<SimulationRandom, PairedSamples> scenario, MetricGate? zeroGate = null, MetricGate? gate = null, bool flatten = false, MetricKind kind = MetricKind.Rate)
    {
        zeroGate ??= AccuracyZeroTolerance;
        gate ??= Accuracy2pp;
        var bootstrap = new PairedBootstrap(Resamples);
        int regressedAtZero = 0, regressed = 0, inconclusive = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var samples = scenario(new SimulationRandom(10_000 + (ulong)trial));
            if (flatten)
            {
                samples = PairedSamples.FromPairs(samples.Baseline, samples.Candidate);
            }

            var result = bootstrap.Run(new MetricSamples("metric", kind, gate, samples), seed: trial);
            regressedAtZero += VerdictRule.Decide(result, zeroGate, strict: false).Verdict == Verdict.Regressed ? 1 : 0;
            regressed += VerdictRule.Decide(result, gate, strict: false).Verdict == Verdict.Regressed ? 1 : 0;
            inconclusive += VerdictRule.Decide(result, gate, strict: true).Verdict == Verdict.Inconclusive ? 1 : 0;
        }

        return ((double)regressedAtZero / Trials, (double)regressed / Trials, (double)inconclusive / Trials);
    }

    /// <summary>Each version passes each case independently: the noisiest pairing there is.</summary>
    public static PairedSamples Independent(SimulationRandom random, double baseline, double candidate) =>
        Build(1, (_, _) => (Pass(random, baseline), Pass(random, candidate)));

    /// <summary>
    /// Cases differ in difficulty (60% easy at 0.97, 25% medium at 0.7, 15% hard at 0.3: mean 0.80); each version
    /// passes independently given the case, the candidate at <paramref name="scale"/> times the case's rate.
    /// </summary>
    public static PairedSamples Correlated(SimulationRandom random, double scale) =>
        Build(1, (_, _) =>
        {
            var u = random.Uniform();
            var p = u < 0.60 ? 0.97 : u < 0.85 ? 0.7 : 0.3;
            return (Pass(random, p), Pass(random, p * scale));
        });

    /// <summary>
    /// The candidate reruns the baseline: 80% of answers come out the same, 20% are re-drawn at 0.8 (model
    /// nondeterminism), then a pass is turned into a failure with probability <paramref name="drop"/>/0.8, which
    /// lowers the pass rate by <paramref name="drop"/>.
    /// </summary>
    public static PairedSamples Injected(SimulationRandom random, double drop) =>
        Build(1, (_, _) =>
        {
            var baseline = Pass(random, 0.8);
            var candidate = random.Uniform() < 0.8 ? baseline : Pass(random, 0.8);
            if (candidate == 1 && random.Uniform() < drop / 0.8)
            {
                candidate = 0;
            }

            return (baseline, candidate);
        });

    /// <summary>
    /// Each version, per case, finds the case easy (0.97, 80% of cases) or hard (0.12), independently of the other:
    /// both pass 80% on average, but they fail different cases, and every repeat of a case repeats that.
    /// </summary>
    public static PairedSamples CaseEffects(SimulationRandom random, int repeats)
    {
        double baselineRate = 0, candidateRate = 0;
        return Build(repeats, (_, repeat) =>
        {
            if (repeat == 0)
            {
                baselineRate = random.Uniform() < 0.8 ? 0.97 : 0.12;
                candidateRate = random.Uniform() < 0.8 ? 0.97 : 0.12;
            }

            return (Pass(random, baselineRate), Pass(random, candidateRate));
        });
    }

    /// <summary>
    /// Per-case cost log-normal around 0.01 USD (cases differ in size, σ = 0.8), each run with its own ±20%
    /// log-normal noise; the candidate costs <paramref name="factor"/> times as much.
    /// </summary>
    public static PairedSamples Cost(SimulationRandom random, double factor) =>
        Build(1, (_, _) =>
        {
            var size = 0.01 * Math.Exp(0.8 * Normal(random));
            return (size * Math.Exp(0.2 * Normal(random)), factor * size * Math.Exp(0.2 * Normal(random)));
        });

    public static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Paired samples of <paramref name="cases"/> cases × <paramref name="repeats"/>, each pair drawn by (case, repeat).</summary>
    public static PairedSamples Build(int cases, int repeats, Func<int, int, (double Baseline, double Candidate)> draw)
    {
        var baseline = new IReadOnlyList<double>[cases];
        var candidate = new IReadOnlyList<double>[cases];
        for (var i = 0; i < cases; i++)
        {
            var b = new double[repeats];
            var c = new double[repeats];
            for (var r = 0; r < repeats; r++)
            {
                (b[r], c[r]) = draw(i, r);
            }

            baseline[i] = b;
            candidate[i] = c;
        }

        return PairedSamples.FromCases(baseline, candidate);
    }

    private static PairedSamples Build(int repeats, Func<int, int, (double Baseline, double Candidate)> draw) => Build(Cases, repeats, draw);

    private static double Pass(SimulationRandom random, double p) => random.Bernoulli(p);

    private static double Normal(SimulationRandom random) => random.Normal();
}
