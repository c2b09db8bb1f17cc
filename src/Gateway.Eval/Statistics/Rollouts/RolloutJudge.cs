namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// Decides, at each look of the rollout controller, what a step does next, from every metric's anytime-valid
/// comparison (<see cref="RolloutComparison"/>). Pure: the controller supplies the step, the time spent in it and the
/// readings since it began; the judge keeps no state.
/// </summary>
/// <remarks>
/// In order:
/// <list type="number">
/// <item>an abort-capable metric is <see cref="RolloutVerdict.Harmful"/> → <see cref="RolloutAction.Abort"/>, at any
/// look, minimum duration or not (the confidence sequence is valid at every look);</item>
/// <item>a pause-only metric is harmful → <see cref="RolloutAction.Pause"/>;</item>
/// <item>the step's minimum duration and minimum samples per arm (every metric, both arms) are reached and every
/// metric is <see cref="RolloutVerdict.Acceptable"/> → <see cref="RolloutAction.Advance"/>, or
/// <see cref="RolloutAction.Promote"/> on the last step;</item>
/// <item>the step's maximum duration is reached → the plan's <see cref="RolloutOptions.OnInconclusive"/>: pause, or
/// advance / promote anyway;</item>
/// <item>otherwise <see cref="RolloutAction.Continue"/>.</item>
/// </list>
/// Each metric gets α = <see cref="RolloutOptions.Alpha"/> / (metrics × steps) per side, so over the whole plan an
/// equivalent canary is aborted with probability at most <see cref="RolloutOptions.Alpha"/>.
/// </remarks>
public static class RolloutJudge
{
    /// <summary>The per-metric, per-step, per-side error rate the judge gives <see cref="RolloutComparison"/>.</summary>
    public static double MetricAlpha(RolloutOptions options, int metricCount, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(metricCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepCount, 1);
        return options.Alpha / ((double)metricCount * stepCount);
    }

    /// <summary>
    /// Decides a user-facing step from each metric's independent stable and canary readings since the step began. A
    /// metric without readings counts as having none (inconclusive). A quantile metric
    /// (<see cref="RolloutMetric.Quantile"/>) reads its arms' histograms from <paramref name="quantiles"/> (by the
    /// metric's name), not their moments. Throws on invalid arguments, duplicate metric names or paired readings of
    /// unequal counts; never on data.
    /// </summary>
    public static RolloutDecision Decide(
        RolloutStepState state,
        RolloutPlanStep step,
        IReadOnlyList<RolloutMetric> metrics,
        IReadOnlyDictionary<string, (ArmMoments Stable, ArmMoments Canary)> readings,
        RolloutOptions options,
        IReadOnlyDictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)>? quantiles = null)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var alpha = Prepare(state, step, metrics, options);
        var verdicts = new RolloutMetricVerdict[metrics.Count];
        for (var i = 0; i < verdicts.Length; i++)
        {
            var metric = metrics[i];
            if (metric.Quantile is not null)
            {
                verdicts[i] = CompareQuantiles(metric, quantiles, paired: false, alpha, options);
                continue;
            }

            var (stable, canary) = readings.TryGetValue(metric.Name, out var arms) ? arms : default;
            verdicts[i] = RolloutComparison.Compare(metric, stable, canary, alpha, options);
        }

        return Conclude(state, step, verdicts, options);
    }

    /// <summary>
    /// Decides a shadow step (<see cref="RolloutPlanStep.WeightBps"/> 0) from paired readings: both versions answered
    /// the same requests, so each metric is compared through the per-request differences (a quantile metric through
    /// both answers' histograms, from <paramref name="quantiles"/>).
    /// </summary>
    public static RolloutDecision Decide(
        RolloutStepState state,
        RolloutPlanStep step,
        IReadOnlyList<RolloutMetric> metrics,
        IReadOnlyDictionary<string, PairedMoments> readings,
        RolloutOptions options,
        IReadOnlyDictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)>? quantiles = null)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var alpha = Prepare(state, step, metrics, options);
        var verdicts = new RolloutMetricVerdict[metrics.Count];
        for (var i = 0; i < verdicts.Length; i++)
        {
            var metric = metrics[i];
            if (metric.Quantile is not null)
            {
                verdicts[i] = CompareQuantiles(metric, quantiles, paired: true, alpha, options);
                continue;
            }

            var paired = readings.TryGetValue(metric.Name, out var found) ? found : default;
            verdicts[i] = RolloutComparison.ComparePaired(metric, paired, alpha, options);
        }

        return Conclude(state, step, verdicts, options);
    }

    private static RolloutMetricVerdict CompareQuantiles(
        RolloutMetric metric, IReadOnlyDictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)>? quantiles, bool paired, double alpha, RolloutOptions options)
    {
        var (stable, canary) = quantiles is not null && quantiles.TryGetValue(metric.Name, out var arms) ? arms : default;
        return RolloutComparison.CompareQuantiles(metric, stable ?? QuantileHistogram.Empty, canary ?? QuantileHistogram.Empty, paired, alpha, options);
    }

    private static double Prepare(RolloutStepState state, RolloutPlanStep step, IReadOnlyList<RolloutMetric> metrics, RolloutOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        state.Validate();
        step.Validate();
        options.Validate();
        if (metrics.Count == 0)
        {
            throw new ArgumentException("A rollout needs at least one metric to judge.", nameof(metrics));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in metrics)
        {
            ArgumentNullException.ThrowIfNull(metric, nameof(metrics));
            metric.Validate();
            if (!names.Add(metric.Name))
            {
                throw new ArgumentException($"Rollout metric '{metric.Name}' is listed twice.", nameof(metrics));
            }
        }

        return MetricAlpha(options, metrics.Count, state.StepCount);
    }

    private static RolloutDecision Conclude(RolloutStepState state, RolloutPlanStep step, RolloutMetricVerdict[] verdicts, RolloutOptions options)
    {
        if (MostHarmful(verdicts, abortable: true) is { } abort)
        {
            return new RolloutDecision(RolloutAction.Abort, RolloutDecisionReason.Harmful, abort.Metric, verdicts);
        }

        if (MostHarmful(verdicts, abortable: false) is { } pause)
        {
            return new RolloutDecision(RolloutAction.Pause, RolloutDecisionReason.HarmfulPauseOnly, pause.Metric, verdicts);
        }

        var pass = state.IsLastStep ? RolloutAction.Promote : RolloutAction.Advance;
        var minimumsReached = state.Elapsed >= step.MinDuration
            && verdicts.All(v => v.StableCount >= step.MinSamplesPerArm && v.CanaryCount >= step.MinSamplesPerArm);
        if (minimumsReached && verdicts.All(v => v.Verdict == RolloutVerdict.Acceptable))
        {
            return new RolloutDecision(pass, RolloutDecisionReason.AllAcceptable, null, verdicts);
        }

        if (state.Elapsed >= step.EffectiveMaxDuration)
        {
            var undecided = verdicts.FirstOrDefault(v => v.Verdict != RolloutVerdict.Acceptable) ?? verdicts[0];
            return options.OnInconclusive == RolloutInconclusivePolicy.Pause
                ? new RolloutDecision(RolloutAction.Pause, RolloutDecisionReason.MaxDurationInconclusive, undecided.Metric, verdicts)
                : new RolloutDecision(pass, RolloutDecisionReason.MaxDurationInconclusive, undecided.Metric, verdicts);
        }

        return new RolloutDecision(
            RolloutAction.Continue,
            minimumsReached ? RolloutDecisionReason.AwaitingEvidence : RolloutDecisionReason.CollectingMinimum,
            null,
            verdicts);
    }

    /// <summary>The harmful metric of the given kind furthest past its critical value, or null.</summary>
    private static RolloutMetricVerdict? MostHarmful(RolloutMetricVerdict[] verdicts, bool abortable)
    {
        RolloutMetricVerdict? worst = null;
        var worstMargin = double.NegativeInfinity;
        foreach (var verdict in verdicts)
        {
            if (verdict.Verdict != RolloutVerdict.Harmful || verdict.CanAbort != abortable)
            {
                continue;
            }

            var margin = (verdict.Statistic ?? 0) - (verdict.Critical ?? 0);
            if (margin > worstMargin)
            {
                worst = verdict;
                worstMargin = margin;
            }
        }

        return worst;
    }
}
