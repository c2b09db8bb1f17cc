using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// Seeded simulation of the rollout controller running <see cref="RolloutJudge"/>: a prompt receiving
/// <see cref="RequestsPerSecond"/> requests a second, every request giving one reading of each default metric, the
/// controller looking every <see cref="CheckIntervalSeconds"/> seconds at the readings since the current step began.
/// Traffic is drawn per 10-second batch: Poisson request counts per arm (the weight's share of the traffic), binomial
/// error and refusal counts, and each request's lognormal cost, tokens and latency. A shadow step mirrors
/// <see cref="ShadowMirroredShare"/> of the requests to the candidate; there the two answers' values share a
/// per-request factor (correlation <see cref="ShadowLogCorrelation"/> on the log scale) and errors and refusals are
/// independent. The tests assert on these figures and docs/canary-analysis.md quotes
/// <see cref="RolloutSimulationReport.Format"/>.
/// </summary>
public static class RolloutSimulation
{
    /// <summary>Requests a second to the prompt, both arms together.</summary>
    public const double RequestsPerSecond = 20;

    /// <summary>The controller looks this often.</summary>
    public const int CheckIntervalSeconds = 10;

    /// <summary>Share of the requests a shadow step mirrors to the candidate.</summary>
    public const double ShadowMirroredShare = 1.0;

    /// <summary>Correlation, on the log scale, of the two answers' cost, tokens and latency for the same request.</summary>
    public const double ShadowLogCorrelation = 0.5;

    /// <summary>The seed the documented figures were produced with.</summary>
    public const ulong DefaultSeed = 17;

    /// <summary>The per-side α of the documented repeated-looks comparison (large enough to measure in a few thousand trials).</summary>
    public const double RepeatedLooksAlpha = 0.05;

    /// <summary>The documented run's rollouts per scenario.</summary>
    public const int DefaultTrials = 300;

    internal const double ErrorBaseline = 0.02;
    internal const double RefusalBaseline = 0.05;
    internal const double CostMean = 0.002;
    private const double CostSigma = 0.8;
    internal const double TokensMean = 150;
    private const double TokensSigma = 0.8;
    internal const double LatencyMean = 1300;
    private const double LatencySigma = 0.5;
    private const int MetricCount = 5;

    /// <summary>
    /// The documented run: every <see cref="SimulatedCanary"/> through <see cref="RolloutDefaults.Plan"/>, and the
    /// equivalent and the three abort-worthy canaries again with <see cref="RolloutDefaults.ShadowStep"/> first; and
    /// the repeated-looks comparison (<see cref="MeasureRepeatedLooks"/>) for the error rate (2 × trials windows of an
    /// hour) and cost (trials windows of 30 minutes) of a 5% canary on the threshold.
    /// </summary>
    public static RolloutSimulationReport Run(int trials = DefaultTrials, ulong seed = DefaultSeed, RolloutOptions? options = null)
    {
        options ??= RolloutOptions.Default;
        (SimulatedCanary Canary, bool Shadow)[] scenarios =
        [
            (SimulatedCanary.Equivalent, false),
            (SimulatedCanary.ErrorRatePlus5Points, false),
            (SimulatedCanary.RefusalRatePlus10Points, false),
            (SimulatedCanary.CostPlus40Percent, false),
            (SimulatedCanary.LatencyPlus50Percent, false),
            (SimulatedCanary.Equivalent, true),
            (SimulatedCanary.ErrorRatePlus5Points, true),
            (SimulatedCanary.RefusalRatePlus10Points, true),
            (SimulatedCanary.CostPlus40Percent, true),
        ];

        (string Metric, int Trials, int Minutes)[] borderline =
        [
            (RolloutDefaults.ErrorRate, 2 * trials, 60),
            (RolloutDefaults.CostUsd, trials, 30),
        ];

        // Every scenario has its own seeds, so running them in parallel changes no figure.
        var figures = new RolloutScenarioFigures[scenarios.Length];
        var looks = new RepeatedLooksFigures[borderline.Length];
        Parallel.For(0, scenarios.Length + borderline.Length, i =>
        {
            if (i < scenarios.Length)
            {
                figures[i] = Measure(scenarios[i].Canary, scenarios[i].Shadow, trials, seed, options);
            }
            else
            {
                var (metric, count, minutes) = borderline[i - scenarios.Length];
                looks[i - scenarios.Length] = MeasureRepeatedLooks(metric, count, seed, RepeatedLooksAlpha, minutes, 500, options);
            }
        });
        return new RolloutSimulationReport(options, seed, trials, figures, looks);
    }

    /// <summary>
    /// <paramref name="trials"/> rollouts of <paramref name="canary"/> through <paramref name="plan"/> (default
    /// <see cref="RolloutDefaults.Plan"/>, preceded by <see cref="RolloutDefaults.ShadowStep"/> when
    /// <paramref name="withShadowStep"/>) judged on <see cref="RolloutDefaults.Metrics"/>.
    /// </summary>
    public static RolloutScenarioFigures Measure(
        SimulatedCanary canary, bool withShadowStep, int trials, ulong seed, RolloutOptions? options = null, IReadOnlyList<RolloutPlanStep>? plan = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        options ??= RolloutOptions.Default;
        plan ??= RolloutDefaults.Plan;
        List<RolloutPlanStep> steps = withShadowStep ? [RolloutDefaults.ShadowStep, .. plan] : [.. plan];
        var metrics = RolloutDefaults.Metrics;
        var expected = ExpectedMetric(canary);
        var firstUserStep = steps.FindIndex(s => !s.IsShadow);
        var promotedMinutes = new List<double>();
        var stopMinutes = new List<double>();
        var stepMinutes = steps.Select(_ => new List<double>()).ToArray();
        var stopsByStep = new int[steps.Count];
        int promoted = 0, aborted = 0, pausedHarmful = 0, pausedInconclusive = 0, abortedNaming = 0, stoppedNaming = 0, abortedAtShadow = 0, abortedEarly = 0;
        var scenario = ((ulong)canary * 10) + (withShadowStep ? 1UL : 0UL);
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new ChangePointRandom(TrialSeed(seed, scenario, trial));
            var outcome = RunRollout(random, canary, steps, metrics, options);
            if (outcome.Action == RolloutAction.Promote)
            {
                promoted++;
                promotedMinutes.Add(outcome.Minutes);
                for (var k = 0; k < steps.Count; k++)
                {
                    stepMinutes[k].Add(outcome.StepMinutes[k]);
                }

                continue;
            }

            stopMinutes.Add(outcome.Minutes);
            stopsByStep[outcome.Step]++;
            var naming = string.Equals(outcome.Metric, expected, StringComparison.Ordinal);
            stoppedNaming += naming ? 1 : 0;
            if (outcome.Action == RolloutAction.Abort)
            {
                aborted++;
                abortedNaming += naming ? 1 : 0;
                abortedAtShadow += steps[outcome.Step].IsShadow ? 1 : 0;
                abortedEarly += firstUserStep < 0 || outcome.Step <= firstUserStep + 1 ? 1 : 0;
            }
            else if (outcome.Reason == RolloutDecisionReason.HarmfulPauseOnly)
            {
                pausedHarmful++;
            }
            else
            {
                pausedInconclusive++;
            }
        }

        promotedMinutes.Sort();
        stopMinutes.Sort();
        double Share(int count) => (double)count / trials;
        return new RolloutScenarioFigures(
            canary,
            withShadowStep,
            trials,
            Share(promoted),
            Share(aborted),
            Share(pausedHarmful),
            Share(pausedInconclusive),
            Share(abortedNaming),
            Share(stoppedNaming),
            Share(abortedAtShadow),
            Share(abortedEarly),
            Quantile(promotedMinutes, 0.5),
            Quantile(promotedMinutes, 0.95),
            Quantile(stopMinutes, 0.5),
            Quantile(stopMinutes, 0.95),
            stepMinutes.Select(m => Quantile([.. m.Order()], 0.5)).ToList(),
            stopsByStep);
    }

    /// <summary>
    /// <paramref name="trials"/> windows of <paramref name="minutes"/> minutes in which the canary (at
    /// <paramref name="weightBps"/>) degrades <paramref name="metricName"/> by exactly its threshold and nothing else,
    /// looked at every <see cref="CheckIntervalSeconds"/> seconds by the confidence sequence and by a fixed-sample z test,
    /// both at <paramref name="alpha"/> per side (see <see cref="RepeatedLooksFigures"/>).
    /// </summary>
    public static RepeatedLooksFigures MeasureRepeatedLooks(
        string metricName, int trials, ulong seed, double alpha = 0.05, int minutes = 60, int weightBps = 500, RolloutOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        options ??= RolloutOptions.Default;
        var index = RolloutDefaults.Metrics.ToList().FindIndex(m => string.Equals(m.Name, metricName, StringComparison.Ordinal));
        if (index < 0)
        {
            throw new ArgumentException($"'{metricName}' is not a default rollout metric.", nameof(metricName));
        }

        var metric = RolloutDefaults.Metrics[index];
        var baseline = SimulatedLevels.Of(SimulatedCanary.Equivalent);
        var candidate = index switch
        {
            0 => baseline with { ErrorRate = baseline.ErrorRate + metric.Threshold },
            1 => baseline with { RefusalRate = baseline.RefusalRate + metric.Threshold },
            2 => baseline with { CostMean = baseline.CostMean * (1 + metric.Threshold) },
            3 => baseline with { TokensMean = baseline.TokensMean * (1 + metric.Threshold) },
            _ => baseline with { LatencyMean = baseline.LatencyMean * (1 + metric.Threshold) },
        };
        var fixedCritical = StandardNormal.Quantile(1 - alpha);
        var share = weightBps / 10000.0;
        var batch = RequestsPerSecond * CheckIntervalSeconds;
        var looks = minutes * 60 / CheckIntervalSeconds;
        var stable = new ArmMoments[MetricCount];
        var canaryArm = new ArmMoments[MetricCount];
        int sequenceHarmful = 0, sequenceAcceptable = 0, fixedHarmful = 0, fixedAcceptable = 0, fixedAtEnd = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new ChangePointRandom(TrialSeed(seed, 1_000_000UL + ((ulong)index * 1000) + (ulong)weightBps, trial));
            Array.Clear(stable);
            Array.Clear(canaryArm);
            bool sh = false, sa = false, fh = false, fa = false;
            RolloutMetricVerdict? last = null;
            for (var look = 0; look < looks; look++)
            {
                AddBatch(random, baseline, random.Poisson(batch * (1 - share)), stable, index);
                AddBatch(random, candidate, random.Poisson(batch * share), canaryArm, index);
                last = RolloutComparison.Compare(metric, stable[index], canaryArm[index], alpha, options);
                sh |= last.Verdict == RolloutVerdict.Harmful;
                sa |= last.Verdict == RolloutVerdict.Acceptable;
                if (last.Statistic is { } z)
                {
                    fh |= z >= fixedCritical;
                    fa |= z <= -fixedCritical;
                }
            }

            sequenceHarmful += sh ? 1 : 0;
            sequenceAcceptable += sa ? 1 : 0;
            fixedHarmful += fh ? 1 : 0;
            fixedAcceptable += fa ? 1 : 0;
            fixedAtEnd += last?.Statistic >= fixedCritical ? 1 : 0;
        }

        double Share(int count) => (double)count / trials;
        return new RepeatedLooksFigures(
            metricName, weightBps, minutes, trials, alpha, Share(sequenceHarmful), Share(sequenceAcceptable), Share(fixedHarmful), Share(fixedAcceptable), Share(fixedAtEnd));
    }

    /// <summary>The metric a canary degrades, or null for the equivalent one.</summary>
    public static string? ExpectedMetric(SimulatedCanary canary) => canary switch
    {
        SimulatedCanary.ErrorRatePlus5Points => RolloutDefaults.ErrorRate,
        SimulatedCanary.RefusalRatePlus10Points => RolloutDefaults.RefusalRate,
        SimulatedCanary.CostPlus40Percent => RolloutDefaults.CostUsd,
        SimulatedCanary.LatencyPlus50Percent => RolloutDefaults.LatencyMs,
        _ => null,
    };

    private static (RolloutAction Action, RolloutDecisionReason Reason, int Step, string? Metric, double Minutes, double[] StepMinutes) RunRollout(
        ChangePointRandom random, SimulatedCanary canary, List<RolloutPlanStep> steps, IReadOnlyList<RolloutMetric> metrics, RolloutOptions options)
    {
        var candidate = SimulatedLevels.Of(canary);
        var baseline = SimulatedLevels.Of(SimulatedCanary.Equivalent);
        var stable = new ArmMoments[MetricCount];
        var canaryArm = new ArmMoments[MetricCount];
        var paired = new PairedMoments[MetricCount];
        var readings = new Dictionary<string, (ArmMoments Stable, ArmMoments Canary)>(StringComparer.Ordinal);
        var pairedReadings = new Dictionary<string, PairedMoments>(StringComparer.Ordinal);
        var stepMinutes = new double[steps.Count];
        var totalSeconds = 0.0;
        for (var k = 0; k < steps.Count; k++)
        {
            var step = steps[k];
            Array.Clear(stable);
            Array.Clear(canaryArm);
            Array.Clear(paired);
            var seconds = 0;
            while (true)
            {
                if (step.IsShadow)
                {
                    var pairs = random.Poisson(RequestsPerSecond * CheckIntervalSeconds * ShadowMirroredShare);
                    for (var i = 0; i < pairs; i++)
                    {
                        AddPair(random, baseline, candidate, paired);
                    }
                }
                else
                {
                    var share = step.WeightBps / 10000.0;
                    var batch = RequestsPerSecond * CheckIntervalSeconds;
                    AddBatch(random, baseline, random.Poisson(batch * (1 - share)), stable);
                    AddBatch(random, candidate, random.Poisson(batch * share), canaryArm);
                }

                seconds += CheckIntervalSeconds;
                var state = new RolloutStepState(k, steps.Count, TimeSpan.FromSeconds(seconds));
                RolloutDecision decision;
                if (step.IsShadow)
                {
                    for (var m = 0; m < MetricCount; m++)
                    {
                        pairedReadings[metrics[m].Name] = paired[m];
                    }

                    decision = RolloutJudge.Decide(state, step, metrics, pairedReadings, options);
                }
                else
                {
                    for (var m = 0; m < MetricCount; m++)
                    {
                        readings[metrics[m].Name] = (stable[m], canaryArm[m]);
                    }

                    decision = RolloutJudge.Decide(state, step, metrics, readings, options);
                }

                if (decision.Action == RolloutAction.Continue)
                {
                    continue;
                }

                stepMinutes[k] = seconds / 60.0;
                totalSeconds += seconds;
                if (decision.Action == RolloutAction.Advance)
                {
                    break;
                }

                return (decision.Action, decision.Reason, k, decision.Metric, totalSeconds / 60, stepMinutes);
            }
        }

        // Advancing past the last step only happens through the judge's Promote; unreachable with a valid plan.
        return (RolloutAction.Promote, RolloutDecisionReason.AllAcceptable, steps.Count - 1, null, totalSeconds / 60, stepMinutes);
    }

    /// <summary>One arm's <paramref name="count"/> requests, added to its moments (in <see cref="RolloutDefaults.Metrics"/> order).</summary>
    private static void AddBatch(ChangePointRandom random, SimulatedLevels levels, int count, ArmMoments[] moments, int only = -1)
    {
        if (only >= 0)
        {
            AddOne(random, levels, count, moments, only);
            return;
        }

        var errors = Binomial(random, count, levels.ErrorRate);
        var refusals = Binomial(random, count, levels.RefusalRate);
        moments[0] = moments[0].Combine(new ArmMoments(count, errors, errors));
        moments[1] = moments[1].Combine(new ArmMoments(count, refusals, refusals));
        double cost = 0, costSquares = 0, tokens = 0, tokenSquares = 0, latency = 0, latencySquares = 0;
        for (var i = 0; i < count; i++)
        {
            var c = random.LogNormal(levels.CostMean, CostSigma);
            var t = Tokens(random.LogNormal(levels.TokensMean, TokensSigma));
            var l = random.LogNormal(levels.LatencyMean, LatencySigma);
            cost += c;
            costSquares += c * c;
            tokens += t;
            tokenSquares += t * t;
            latency += l;
            latencySquares += l * l;
        }

        moments[2] = moments[2].Combine(new ArmMoments(count, cost, costSquares));
        moments[3] = moments[3].Combine(new ArmMoments(count, tokens, tokenSquares));
        moments[4] = moments[4].Combine(new ArmMoments(count, latency, latencySquares));
    }

    /// <summary>One arm's <paramref name="count"/> requests, for one metric only.</summary>
    private static void AddOne(ChangePointRandom random, SimulatedLevels levels, int count, ArmMoments[] moments, int metric)
    {
        if (metric < 2)
        {
            var events = Binomial(random, count, metric == 0 ? levels.ErrorRate : levels.RefusalRate);
            moments[metric] = moments[metric].Combine(new ArmMoments(count, events, events));
            return;
        }

        double sum = 0, squares = 0;
        for (var i = 0; i < count; i++)
        {
            var x = metric switch
            {
                2 => random.LogNormal(levels.CostMean, CostSigma),
                3 => Tokens(random.LogNormal(levels.TokensMean, TokensSigma)),
                _ => random.LogNormal(levels.LatencyMean, LatencySigma),
            };
            sum += x;
            squares += x * x;
        }

        moments[metric] = moments[metric].Combine(new ArmMoments(count, sum, squares));
    }

    /// <summary>One mirrored request answered by both versions.</summary>
    private static void AddPair(ChangePointRandom random, SimulatedLevels baseline, SimulatedLevels candidate, PairedMoments[] paired)
    {
        paired[0] = paired[0].Add(random.Bernoulli(baseline.ErrorRate), random.Bernoulli(candidate.ErrorRate));
        paired[1] = paired[1].Add(random.Bernoulli(baseline.RefusalRate), random.Bernoulli(candidate.RefusalRate));
        var (costS, costC) = CorrelatedLogNormals(random, baseline.CostMean, candidate.CostMean, CostSigma);
        paired[2] = paired[2].Add(costS, costC);
        var (tokensS, tokensC) = CorrelatedLogNormals(random, baseline.TokensMean, candidate.TokensMean, TokensSigma);
        paired[3] = paired[3].Add(Tokens(tokensS), Tokens(tokensC));
        var (latencyS, latencyC) = CorrelatedLogNormals(random, baseline.LatencyMean, candidate.LatencyMean, LatencySigma);
        paired[4] = paired[4].Add(latencyS, latencyC);
    }

    /// <summary>Two lognormals with the given means and log-scale σ whose logs have correlation <see cref="ShadowLogCorrelation"/>.</summary>
    private static (double Stable, double Candidate) CorrelatedLogNormals(ChangePointRandom random, double stableMean, double candidateMean, double sigma)
    {
        var shared = random.Normal() * Math.Sqrt(ShadowLogCorrelation);
        var own = Math.Sqrt(1 - ShadowLogCorrelation);
        var s = Math.Exp(Math.Log(stableMean) - (sigma * sigma / 2) + (sigma * (shared + (own * random.Normal()))));
        var c = Math.Exp(Math.Log(candidateMean) - (sigma * sigma / 2) + (sigma * (shared + (own * random.Normal()))));
        return (s, c);
    }

    private static double Tokens(double draw) => Math.Max(1, Math.Round(draw));

    /// <summary>Binomial(n, p) by inversion (sequential search from 0): exact, about n·p + 1 steps.</summary>
    private static int Binomial(ChangePointRandom random, int n, double p)
    {
        if (n <= 0 || p <= 0)
        {
            return 0;
        }

        if (p >= 1)
        {
            return n;
        }

        var q = 1 - p;
        var ratio = p / q;
        var a = (n + 1) * ratio;
        var f = Math.Pow(q, n);
        var u = random.Uniform();
        var x = 0;
        while (u > f && x < n)
        {
            u -= f;
            x++;
            f *= (a / x) - ratio;
        }

        return x;
    }

    private static ulong TrialSeed(ulong seed, ulong scenario, int trial) =>
        unchecked((seed * 0x9E3779B97F4A7C15UL) + (scenario * 0xBF58476D1CE4E5B9UL) + (ulong)trial);

    /// <summary>Linear interpolation between order statistics (type 7) of sorted values; NaN when there are none.</summary>
    private static double Quantile(List<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var h = (sorted.Count - 1) * p;
        var low = (int)Math.Floor(h);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((h - low) * (sorted[high] - sorted[low]));
    }
}
