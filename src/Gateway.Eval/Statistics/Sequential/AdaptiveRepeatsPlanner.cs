namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>
/// Plans <c>--repeats auto --max-calls N</c>: after each round (one more repeat of every case on both versions) it
/// says whether another round is worth its calls, until every gated metric is decided or the budget is spent.
/// Pure and deterministic: the answer depends only on the samples, the calls spent and the options, so it can be
/// called again on the same data (a resumed run) and gives the same answer.
/// </summary>
/// <remarks>
/// <para>
/// <b>Intervals.</b> At look k (k repeats per case) a metric's interval is Δ̂ ± c_k·SE. Δ̂ is the mean over cases of each
/// case's mean difference; SE = s/√n from the spread s of those case means. That is the case-clustered standard
/// error: s² estimates σ²_between + σ²_within / k, so the interval covers the population mean difference, not only
/// these cases', and never gets narrower than the between-case noise allows, however many repeats are run. c_k is a
/// repeated-confidence-interval boundary over the K rounds the budget allows (<see cref="RepeatedBoundary"/>:
/// Hwang–Shih–DeCani α-spending, γ = −2 by default).
/// </para>
/// <para>
/// <b>Why that covers at every look at once.</b> Write Δ̂_k − Δ = B + W_k. B, the between-case error, is drawn once
/// with the cases. W_k, the run-to-run error averaged over k repeats, shrinks as repeats are added to the same
/// cases. Then Cov(Δ̂_j, Δ̂_k) = Var(Δ̂_k) for j &lt; k, so Corr(Z_j, Z_k) = √(V_k / V_j) ≥ √(j / k). Equality holds when
/// there is no between-case variance, and that case is the ordinary group-sequential random walk with equal
/// increments, for which the c_k are computed. By Slepian's inequality, larger correlations only lower the chance
/// that some Z_k crosses its c_k. So the boundary holds the one-sided miss rate at α/2 for any mix of between- and
/// within-case noise, and a union over the two sides gives simultaneous coverage 1 − α. Normality is the CLT over
/// cases, the same approximation the fixed design's bootstrap makes. Stopping at any look, for any reason, keeps the
/// coverage; that is what makes looking after every round safe. There must be at most one look per round, but
/// skipping rounds is fine.
/// </para>
/// <para>
/// <b>Statuses.</b>
/// <list type="bullet">
/// <item><b>Regressed</b> is <see cref="VerdictRule"/>'s rule applied to the anytime interval: it excludes 0 on the bad
/// side and the delta is beyond the tolerance. So a false alarm needs the interval to miss.</item>
/// <item><b>Cleared</b>: the interval's bad end is within the tolerance.</item>
/// <item><b>Futile</b> (not in strict mode): a likelihood-ratio bound (<see cref="AdaptiveRepeatsOptions.Futility"/>)
/// says the data favour "no change" over the smallest regression the full budget would catch.</item>
/// </list>
/// Futility never declares a regression, so it can only lower false alarms. What it costs in power, the calibration
/// simulation measures and the README reports.
/// </para>
/// <para>
/// <b>Allocation.</b> Every round repeats every case. Adding repeats only to the cases that look interesting would make
/// each case's number of repeats depend on its own outcomes, which biases the per-case means.
/// </para>
/// </remarks>
internal sealed class AdaptiveRepeatsPlanner
{
    /// <summary>z at 90%: futility weighs "no change" against the regression the full budget would catch 90% of the time.</summary>
    private const double PowerQuantile = 1.2815515655446004;

    private readonly AdaptiveRepeatsOptions _options;

    public AdaptiveRepeatsPlanner(AdaptiveRepeatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Cases, 2, nameof(options.Cases));
        if (!(options.Confidence > 0 && options.Confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Confidence, "Confidence is a level strictly between 0 and 1, e.g. 0.95.");
        }

        if (!(options.Futility >= 0 && options.Futility < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Futility, "Futility is a likelihood-ratio bound in [0, 1); 0 turns it off.");
        }

        if (options.MaxRounds < 1 || options.MaxRounds > RepeatedBoundary.MaxLooks)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRounds, $"Max rounds is between 1 and {RepeatedBoundary.MaxLooks}.");
        }

        CallsPerRound = 2 * options.Cases;
        if (options.MaxCalls < CallsPerRound)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.MaxCalls, $"A budget of {options.MaxCalls} calls cannot run one repeat of {options.Cases} cases on both versions ({CallsPerRound} calls).");
        }

        _options = options;
        MaxRounds = Math.Min(options.MaxRounds, options.MaxCalls / CallsPerRound);
        Critical = RepeatedBoundary.Critical(MaxRounds, (1 - options.Confidence) / 2, options.SpendingGamma);
    }

    public AdaptiveRepeatsOptions Options => _options;

    /// <summary>Calls one round costs: every case once on each version.</summary>
    public int CallsPerRound { get; }

    /// <summary>The most rounds (looks, repeats per case) the budget and the cap allow: K.</summary>
    public int MaxRounds { get; }

    /// <summary>
    /// The boundary c_k for looks k = 1..K (index k − 1) on the normal scale. With the defaults and ten rounds it runs
    /// from 3.13 at the first look down to 2.16 at the last, where one look's 95% CI would use 1.96.
    /// </summary>
    public IReadOnlyList<double> Critical { get; }

    /// <summary>
    /// Decides after a round. <paramref name="metrics"/> holds every metric's pairs so far (as
    /// <c>RunResult.ToMetricSamples()</c> gives them); <paramref name="callsSpent"/> counts every call made, failed
    /// ones included.
    /// </summary>
    public AdaptiveDecision Evaluate(IReadOnlyList<MetricSamples> metrics, int callsSpent)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfNegative(callsSpent);
        var rounds = metrics.Count == 0 ? 0 : metrics.Max(m => m.Samples.MaxRepeats);
        var states = metrics.Select(Assess).ToList();
        var reason = StopReason(states, rounds, callsSpent);
        return reason == SequentialStopReason.None
            ? new AdaptiveDecision(SequentialAction.Continue, reason, rounds, callsSpent, rounds + 1, states)
            : new AdaptiveDecision(SequentialAction.Stop, reason, rounds, callsSpent, null, states);
    }

    /// <summary>One metric's anytime interval, verdict and status at its current look (its repeats per case).</summary>
    public SequentialMetricState Assess(MetricSamples metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var look = metric.Samples.MaxRepeats;
        if (look > MaxRounds)
        {
            throw new ArgumentException($"'{metric.Name}' has {look} repeats per case, but the intervals cover only {MaxRounds} rounds.", nameof(metric));
        }

        var moments = ClusterMoments.From(metric.Samples);
        var critical = Critical[look - 1];
        // The error rate has no floor: max_error_rate bounds it over the whole run (a candidate whose own calls fail
        // beyond it fails the run), and clearing a 1-point tolerance against the floor with no failures would take
        // ~300 pairs, more than most budgets, in strict mode a run that could never pass.
        var se = moments.StandardError(metric.Kind, rateFloor: !metric.BoundedByRun, scores: metric.Scores);

        // Zero spread (every case's difference the same) is a zero-width interval, except for a rate, whose standard
        // error has a floor (ClusterMoments.StandardError).
        var half = se == 0 ? 0 : critical * se;
        var interval = new BootstrapResult(
            moments.BaselineMean,
            moments.CandidateMean,
            moments.Delta,
            moments.Delta - half,
            moments.Delta + half,
            moments.Cases,
            look,
            _options.Confidence,
            Resamples: 0,
            Seed: 0);
        var decision = VerdictRule.Decide(interval, metric.Gate, _options.Strict);
        var better = metric.Gate.Direction == MetricDirection.HigherIsBetter;
        var worst = better ? interval.CiLow : -interval.CiHigh;
        var tolerance = decision.ToleranceInDeltaUnits;
        var status = decision.Verdict == Verdict.Regressed ? SequentialStatus.Regressed
            : worst >= -tolerance ? SequentialStatus.Cleared
            : IsFutile(moments, RateLike(metric, moments), se, better ? moments.Delta : -moments.Delta, tolerance) ? SequentialStatus.Futile
            : SequentialStatus.Open;
        return new SequentialMetricState(metric.Name, metric.Kind, metric.Gate, status, interval, decision, critical);
    }

    /// <summary>
    /// Wald's acceptance bound, applied at each look to the interval's own normal model: futile when the likelihood
    /// of "a regression δ₁" over that of "no change" is at most β (<see cref="AdaptiveRepeatsOptions.Futility"/>). For
    /// an estimate d (oriented, negative is worse) with variance V that is d ≥ −δ₁/2 + V·ln(1/β)/δ₁. δ₁ is the
    /// smallest regression the full budget would catch 90% of the time: max(t, h_K) + 1.28·SE_K, with SE_K and the
    /// half-width h_K projected to K repeats from the between- and within-case variances. Where the within-case
    /// variance cannot be told apart (one repeat, or unequal repeats), all the variance is taken as within: that
    /// projects the smallest SE_K, hence the smallest δ₁ and the highest bar for futility, never a lower one. A metric
    /// whose repeats never differ within a case is futile outright: repeats cannot change it.
    /// </summary>
    /// <summary>A rate, or assertion scores that are all 0/1: outcomes whose agreeing pairs may hide a rare disagreement.</summary>
    private static bool RateLike(MetricSamples metric, ClusterMoments moments) =>
        metric.Kind == MetricKind.Rate || (metric.Scores && moments.Binary);

    private bool IsFutile(ClusterMoments moments, bool rateLike, double se, double delta, double tolerance)
    {
        var k = moments.Repeats;
        var n = moments.Cases;
        if (n < 2 || k >= MaxRounds)
        {
            return false;
        }

        // Every case gave the same difference on every repeat: more repeats reproduce the same case means, so no
        // number of them can move the verdict, in strict mode or not. For a rate only when every pair disagreed: cases
        // whose pairs agreed so far may hide a disagreement too rare to have shown yet, which repeats are there to find.
        if (moments.WithinVariance == 0 && (!rateLike || moments.Discordance == moments.Pairs))
        {
            return true;
        }

        if (_options.Strict || _options.Futility == 0)
        {
            return false;
        }

        var within = moments.WithinVariance ?? (k * moments.CaseVariance);
        var between = Math.Max(0, moments.CaseVariance - (within / k));
        var finalSe = Math.Sqrt((between + (within / MaxRounds)) / n);
        var target = Math.Max(tolerance, Critical[^1] * finalSe) + (PowerQuantile * finalSe);
        if (!(target > 0))
        {
            return false;
        }

        // The estimate's variance from the cases' spread; where that is 0, as the interval has it (a rate's floor):
        // pairs that all agreed are not certainty for futility either.
        var variance = moments.CaseVariance > 0 ? moments.CaseVariance / n : se * se;
        return delta >= (-target / 2) + (variance * Math.Log(1 / _options.Futility) / target);
    }

    private SequentialStopReason StopReason(List<SequentialMetricState> states, int rounds, int callsSpent)
    {
        var gated = states.Where(s => s.Gate.Gated).ToList();
        if (gated.Count == 0)
        {
            return SequentialStopReason.NothingGated;
        }

        if (gated.Exists(s => s.Status == SequentialStatus.Regressed))
        {
            return SequentialStopReason.Regressed;
        }

        if (!gated.Exists(s => s.HoldsRunOpen))
        {
            return SequentialStopReason.AllDecided;
        }

        return rounds >= MaxRounds || callsSpent + CallsPerRound > _options.MaxCalls
            ? SequentialStopReason.BudgetSpent
            : SequentialStopReason.None;
    }
}
