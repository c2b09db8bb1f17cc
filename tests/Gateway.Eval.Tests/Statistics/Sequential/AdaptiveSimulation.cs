using System.Collections.Concurrent;
using System.Globalization;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Tests.Statistics.Sequential;

/// <summary>
/// The adaptive-repeats calibration: simulated 60-case golden sets with run-to-run noise, judged by the fixed designs
/// (10 repeats, and 1 repeat, through <see cref="PairedBootstrap"/> and <see cref="VerdictRule"/> as the gate does), by
/// <see cref="AdaptiveRepeatsPlanner"/> with the fixed 10-repeat design's calls as its budget, and by naive peeking
/// (the ordinary 95% bootstrap CI after every round, stopping as soon as it decides).
/// </summary>
/// <remarks>
/// <para>
/// The model: case i's baseline pass probability p_i is drawn from Beta(4, 1) (mean 0.8, most cases easy, a tail of
/// hard ones); every run of either version is an independent Bernoulli draw, so a case's repeats disagree and
/// repeats have something to average. A uniform regression of δ scales every case's probability by 1 − δ/0.8, which
/// lowers the mean by δ. Cost per run is the case's size (log-normal around 0.01 USD, σ = 0.8) times ±20%
/// log-normal run noise, and the candidate's is scaled by its cost factor.
/// </para>
/// <para>
/// All ten repeats are drawn up front and every design reads the same data (the adaptive ones read prefixes), so
/// the designs are compared on identical trials. Deterministic: trial t of a scenario uses data seed
/// <c>scenario.Seed + t</c> and bootstrap seed t, so the figures are exact and the thresholds cannot flake.
/// Bootstraps use 1,000 resamples, as the other calibrations do.
/// </para>
/// </remarks>
internal static class AdaptiveSimulation
{
    public const int Cases = 60;
    public const int FixedRepeats = 10;
    public const int FixedCalls = 2 * Cases * FixedRepeats;
    public const int Trials = 400;
    public const int Resamples = 1_000;

    /// <summary>The new default tolerances: 5 pp on a pass rate, +15% on cost.</summary>
    public static readonly MetricGate Accuracy = MetricGate.HigherIsBetter(0.05);

    public static readonly MetricGate Cost = MetricGate.LowerIsBetterRelative(0.15);

    public static readonly AdaptiveScenario Neutral = new("neutral (identical behaviour)", false, false, 100_000, r => Shifted(r, 0));

    /// <summary>
    /// A rewrite that helps some cases and hurts others: the candidate's pass probability per case is drawn afresh,
    /// so the population means are equal but these 60 cases' mean difference is not 0. Repeats cannot average that
    /// between-case noise away; an interval that forgot it would false-alarm here.
    /// </summary>
    public static readonly AdaptiveScenario NeutralReshuffled = new("neutral rewrite (cases reshuffled)", false, false, 200_000, r =>
    {
        var model = Shifted(r, 0);
        return model with { CandidatePass = BetaFourOne(r) };
    });

    public static readonly AdaptiveScenario Tolerated = new("tolerated drop, 2.5 pp", false, false, 300_000, r => Shifted(r, 0.025));

    public static readonly AdaptiveScenario Subtle = new("subtle drop, 8 pp", true, false, 400_000, r => Shifted(r, 0.08));

    /// <summary>The same 8 pp on average, but all of it on half the cases: more between-case variance.</summary>
    public static readonly AdaptiveScenario SubtleHalf = new("subtle drop, 8 pp on half the cases", true, false, 500_000, r =>
    {
        var model = Shifted(r, 0);
        return r.Uniform() < 0.5 ? model with { CandidatePass = model.BaselinePass * (1 - (0.16 / 0.8)) } : model;
    });

    public static readonly AdaptiveScenario Large = new("large drop, 25 pp", true, false, 600_000, r => Shifted(r, 0.25));

    public static readonly AdaptiveScenario CostRise = new("cost +20%", false, true, 700_000, r => Shifted(r, 0) with { CostFactor = 1.2 });

    /// <summary>The planner as <c>--repeats auto --max-calls 1200</c> runs it: the fixed 10-repeat design's budget, default settings.</summary>
    public static AdaptiveRepeatsOptions Options { get; } = new() { MaxCalls = FixedCalls, Cases = Cases };

    public static IReadOnlyList<AdaptiveScenario> All { get; } = [Neutral, NeutralReshuffled, Tolerated, Subtle, SubtleHalf, Large, CostRise];

    public const string Header =
        "| Scenario | Fixed, 1 repeat: failed | Fixed, 10 repeats: failed | **Adaptive: failed** | **Adaptive: calls** | Adaptive without futility: failed / calls | Naive peeking: failed / calls |\n|---|---|---|---|---|---|---|";

    private static readonly ConcurrentDictionary<AdaptiveScenario, Lazy<ScenarioFigures>> Measured = new();

    /// <summary>
    /// All designs on <paramref name="scenario"/> with the default planner, computed once per process and shared by
    /// the tests (a test that asks while another computes it waits for that result).
    /// </summary>
    public static ScenarioFigures Measure(AdaptiveScenario scenario) =>
        Measured.GetOrAdd(scenario, s => new Lazy<ScenarioFigures>(() => Run(s, Options, s.Seed, Trials))).Value;

    /// <summary>Runs every design on <paramref name="trials"/> trials from <paramref name="seed"/> (other seeds serve tuning).</summary>
    public static ScenarioFigures Run(AdaptiveScenario scenario, AdaptiveRepeatsOptions options, ulong seed, int trials)
    {
        var bootstrap = new PairedBootstrap(Resamples);
        var planner = new AdaptiveRepeatsPlanner(options);
        var withoutFutility = new AdaptiveRepeatsPlanner(options with { Futility = 0 });
        var fixed10 = new Tally("fixed 10");
        var fixed1 = new Tally("fixed 1");
        var adaptive = new Tally("adaptive");
        var noFutility = new Tally("adaptive without futility");
        var naive = new Tally("naive");
        for (var trial = 0; trial < trials; trial++)
        {
            var data = Draw(scenario, new SimulationRandom(seed + (ulong)trial), Math.Max(FixedRepeats, planner.MaxRounds));
            fixed10.Add(Fixed(bootstrap, data, FixedRepeats, trial));
            fixed1.Add(Fixed(bootstrap, data, 1, trial));
            adaptive.Add(Adaptive(planner, data));
            noFutility.Add(Adaptive(withoutFutility, data));
            naive.Add(Naive(bootstrap, data, trial));
        }

        return new ScenarioFigures(scenario, fixed10.Figures(trials), fixed1.Figures(trials), adaptive.Figures(trials), noFutility.Figures(trials), naive.Figures(trials));
    }

    public static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>A share as the README prints it: one decimal, no space before the sign.</summary>
    public static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static (Verdict Accuracy, Verdict Cost, int Calls) Fixed(PairedBootstrap bootstrap, TrialData data, int repeats, int trial)
    {
        var accuracy = VerdictRule.Decide(bootstrap.Run(data.Accuracy(repeats), trial), Accuracy, strict: false).Verdict;
        var cost = VerdictRule.Decide(bootstrap.Run(data.Cost(repeats), trial), Cost, strict: false).Verdict;
        return (accuracy, cost, 2 * Cases * repeats);
    }

    private static (Verdict Accuracy, Verdict Cost, int Calls) Adaptive(AdaptiveRepeatsPlanner planner, TrialData data)
    {
        for (var round = 1; ; round++)
        {
            var decision = planner.Evaluate(data.Metrics(round), 2 * Cases * round);
            if (!decision.Continue)
            {
                return (decision.Metrics[0].Verdict, decision.Metrics[1].Verdict, 2 * Cases * round);
            }
        }
    }

    /// <summary>
    /// Peeks after every round with the ordinary 95% bootstrap CI and stops at the first regression, or once every
    /// metric's CI lies within its tolerance; otherwise it runs all ten rounds.
    /// </summary>
    private static (Verdict Accuracy, Verdict Cost, int Calls) Naive(PairedBootstrap bootstrap, TrialData data, int trial)
    {
        for (var round = 1; ; round++)
        {
            var accuracy = bootstrap.Run(data.Accuracy(round), trial);
            var cost = bootstrap.Run(data.Cost(round), trial);
            var accuracyDecision = VerdictRule.Decide(accuracy, Accuracy, strict: false);
            var costDecision = VerdictRule.Decide(cost, Cost, strict: false);
            var regressed = accuracyDecision.Verdict == Verdict.Regressed || costDecision.Verdict == Verdict.Regressed;
            var settled = !accuracyDecision.Underpowered && !costDecision.Underpowered;
            if (regressed || settled || round == FixedRepeats)
            {
                return (accuracyDecision.Verdict, costDecision.Verdict, 2 * Cases * round);
            }
        }
    }

    /// <summary>
    /// Draws every case's truth, then the runs repeat by repeat, so the first ten repeats are the same whatever
    /// budget a design has beyond them.
    /// </summary>
    private static TrialData Draw(AdaptiveScenario scenario, SimulationRandom random, int repeats)
    {
        var data = new TrialData(Cases, repeats);
        var models = new CaseModel[Cases];
        for (var i = 0; i < Cases; i++)
        {
            models[i] = scenario.DrawCase(random);
        }

        for (var r = 0; r < repeats; r++)
        {
            for (var i = 0; i < Cases; i++)
            {
                var model = models[i];
                data.AccuracyBaseline[i][r] = random.Bernoulli(model.BaselinePass);
                data.AccuracyCandidate[i][r] = random.Bernoulli(model.CandidatePass);
                data.CostBaseline[i][r] = model.Size * Math.Exp(0.2 * random.Normal());
                data.CostCandidate[i][r] = model.CostFactor * model.Size * Math.Exp(0.2 * random.Normal());
            }
        }

        return data;
    }

    /// <summary>A case from Beta(4, 1) whose candidate loses <paramref name="drop"/> of the 0.8 mean, proportionally.</summary>
    private static CaseModel Shifted(SimulationRandom random, double drop)
    {
        var p = BetaFourOne(random);
        var size = 0.01 * Math.Exp(0.8 * random.Normal());
        return new CaseModel(p, p * (1 - (drop / 0.8)), size, 1);
    }

    /// <summary>Beta(4, 1) by inversion: its distribution function is p⁴.</summary>
    private static double BetaFourOne(SimulationRandom random) => Math.Pow(random.Uniform(), 0.25);

    private sealed class Tally(string design)
    {
        private int _accuracy;
        private int _cost;
        private int _gate;
        private long _calls;

        public void Add((Verdict Accuracy, Verdict Cost, int Calls) outcome)
        {
            _accuracy += outcome.Accuracy == Verdict.Regressed ? 1 : 0;
            _cost += outcome.Cost == Verdict.Regressed ? 1 : 0;
            _gate += outcome.Accuracy == Verdict.Regressed || outcome.Cost == Verdict.Regressed ? 1 : 0;
            _calls += outcome.Calls;
        }

        public DesignFigures Figures(int trials) =>
            new(design, (double)_accuracy / trials, (double)_cost / trials, (double)_gate / trials, (double)_calls / trials / FixedCalls);
    }

    private sealed class TrialData
    {
        public TrialData(int cases, int repeats)
        {
            AccuracyBaseline = Jagged(cases, repeats);
            AccuracyCandidate = Jagged(cases, repeats);
            CostBaseline = Jagged(cases, repeats);
            CostCandidate = Jagged(cases, repeats);
        }

        public double[][] AccuracyBaseline { get; }

        public double[][] AccuracyCandidate { get; }

        public double[][] CostBaseline { get; }

        public double[][] CostCandidate { get; }

        public PairedSamples Accuracy(int repeats) => Prefix(AccuracyBaseline, AccuracyCandidate, repeats);

        public PairedSamples Cost(int repeats) => Prefix(CostBaseline, CostCandidate, repeats);

        public IReadOnlyList<MetricSamples> Metrics(int repeats) =>
        [
            new("accuracy", MetricKind.Rate, AdaptiveSimulation.Accuracy, Accuracy(repeats)),
            new("cost", MetricKind.Continuous, AdaptiveSimulation.Cost, Cost(repeats)),
        ];

        private static PairedSamples Prefix(double[][] baseline, double[][] candidate, int repeats) =>
            PairedSamples.FromCases(
                [.. baseline.Select(b => (IReadOnlyList<double>)b[..repeats])],
                [.. candidate.Select(c => (IReadOnlyList<double>)c[..repeats])]);

        private static double[][] Jagged(int cases, int repeats)
        {
            var values = new double[cases][];
            for (var i = 0; i < cases; i++)
            {
                values[i] = new double[repeats];
            }

            return values;
        }
    }
}
