using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// The anytime-valid comparison of canary and stable on one metric: a confidence sequence for the difference of means
/// (or the log ratio, for a relative threshold), valid simultaneously over every look of the step, so the controller
/// may look every ten seconds and stop at whichever look it likes.
/// </summary>
/// <remarks>
/// <para>
/// The estimate θ̂ (x̄_c − x̄_s, or ln(x̄_c / x̄_s)) has standard error s, so the information is I = 1/s² and
/// S = θ̂·I behaves, by the central limit theorem, like a Brownian motion with drift θ in the time I. For that process
/// the one-sided normal mixture (the drift mixed over a half-normal of scale τ) is a nonnegative martingale, and
/// Ville's inequality gives the boundary that the standardised estimate crosses at any time with probability at most α
/// (Robbins 1970; Howard, Ramdas, McAuliffe and Sekhon 2021, the one-sided normal mixture). With z = (θ̂ − θ)/s and
/// r = τ²·I, the crossing is at z = z*(r), the root of
/// 2·Φ(z·√(r/(1+r)))·exp(z²·r / (2(1+r))) / √(1+r) = 1/α.
/// Plugging in the estimated variance makes this the asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha,
/// Kennedy and Ramdas (2021); for two arms it is the normal-mixture sequential test of Johari, Pekelis and Walsh (2017)
/// turned into intervals. Each side at α, so [θ̂ − z*·s, θ̂ + z*·s] is a 1 − 2α confidence sequence, and the two
/// claims drawn from it (harmful: the lower end is past δ; acceptable: the upper end is short of δ) are each wrong
/// with probability at most α.
/// </para>
/// <para>
/// Variances: a rate arm's is p̃(1 − p̃) with p̃ = (events + 1)/(n + 2) (so an arm with no events yet is not
/// certain); a value arm's is the sample variance. Relative thresholds use the delta method on the log ratio:
/// s² = v_c/(n_c·x̄_c²) + v_s/(n_s·x̄_s²). Paired readings (a shadow step) use the per-request differences:
/// s² = v_d/n (at least one discordant pair's worth, 1/(n + 2), for a rate), and for the log ratio
/// (v_c/x̄_c² + v_s/x̄_s² − 2·cov/(x̄_c·x̄_s))/n with cov = (v_c + v_s − v_d)/2.
/// </para>
/// </remarks>
public static class RolloutComparison
{
    /// <summary>The standard error is floored at this fraction of τ, so a zero-variance window gives a finite statistic.</summary>
    private const double StandardErrorFloor = 1e-6;

    /// <summary>
    /// Compares independent arms (a user-facing step): <paramref name="alpha"/> is this metric's error rate per side
    /// for the step (the judge passes <see cref="RolloutOptions.Alpha"/> / (metrics × steps)).
    /// </summary>
    public static RolloutMetricVerdict Compare(RolloutMetric metric, ArmMoments stable, ArmMoments canary, double alpha, RolloutOptions options)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(options);
        metric.Validate();
        options.Validate();
        ValidateAlpha(alpha);

        var usable = stable.IsValid && canary.IsValid;
        var sMean = usable ? stable.Mean : null;
        var cMean = usable ? canary.Mean : null;
        if (!usable || stable.Count < options.MinimumSamplesForVerdict || canary.Count < options.MinimumSamplesForVerdict
            || sMean is not { } s || cMean is not { } c)
        {
            return Undecided(metric, false, stable.Count, canary.Count, sMean, cMean, alpha);
        }

        var relative = metric.ThresholdKind == RolloutThresholdKind.Relative;
        if (relative && !(s > 0 && c > 0))
        {
            return Undecided(metric, false, stable.Count, canary.Count, s, c, alpha);
        }

        var (vs, vc) = metric.Scale == MetricScale.Rate ? RateVariances(metric, stable, canary) : ValueVariances(relative, stable, canary, s, c);
        var estimate = relative ? Math.Log(c / s) : c - s;
        var variance = (vc / canary.Count) + (vs / stable.Count);
        return Judge(metric, false, stable.Count, canary.Count, s, c, estimate, variance, alpha, options);
    }

    /// <summary>
    /// Compares paired readings (a shadow step: both versions answered the same requests), through the per-request
    /// differences; <paramref name="alpha"/> as for <see cref="Compare"/>. Throws <see cref="ArgumentException"/>
    /// when the three counts differ.
    /// </summary>
    public static RolloutMetricVerdict ComparePaired(RolloutMetric metric, PairedMoments readings, double alpha, RolloutOptions options)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(options);
        metric.Validate();
        options.Validate();
        ValidateAlpha(alpha);
        var (stable, canary, differences) = readings;
        if (stable.Count != canary.Count || stable.Count != differences.Count)
        {
            throw new ArgumentException($"Paired readings of '{metric.Name}' must have one stable, one canary and one difference per pair ({stable.Count}, {canary.Count}, {differences.Count}).", nameof(readings));
        }

        var n = stable.Count;
        var usable = stable.IsValid && canary.IsValid && differences.IsValid;
        var sMean = usable ? stable.Mean : null;
        var cMean = usable ? canary.Mean : null;
        if (!usable || n < options.MinimumSamplesForVerdict || sMean is not { } s || cMean is not { } c)
        {
            return Undecided(metric, true, n, n, sMean, cMean, alpha);
        }

        var vd = differences.Variance ?? 0;
        double estimate, variance;
        if (metric.ThresholdKind == RolloutThresholdKind.Absolute)
        {
            estimate = differences.Sum / n;
            if (metric.Scale == MetricScale.Rate)
            {
                // Σd² counts the discordant pairs. At the threshold the discordance is at least δ (all discordant pairs
                // one way), so the variance there is at least δ − δ²; and at least one discordant pair's worth.
                var discordance = differences.SumOfSquares / n;
                var delta = metric.Threshold;
                vd = Math.Max(vd, Math.Max(Math.Max(discordance, delta) - (delta * delta), 1.0 / (n + 2)));
            }

            variance = vd / n;
        }
        else
        {
            if (!(s > 0 && c > 0))
            {
                return Undecided(metric, true, n, n, s, c, alpha);
            }

            var vs = stable.Variance ?? 0;
            var vc = canary.Variance ?? 0;
            var covariance = (vs + vc - vd) / 2;
            estimate = Math.Log(c / s);
            variance = Math.Max(0, (vc / (c * c)) + (vs / (s * s)) - (2 * covariance / (c * s))) / n;
        }

        return Judge(metric, true, n, n, s, c, estimate, variance, alpha, options);
    }

    /// <summary>
    /// Compares a quantile of the arms (<see cref="RolloutMetric.Quantile"/>: the p95 of latency) from their
    /// histograms. Each arm gets time-uniform bounds on its quantile (<see cref="QuantileConfidenceSequence"/>) at α/2
    /// per side, and the two claims are drawn from the intervals they give the difference (or the ratio): harmful when
    /// even the most favourable pair of bounds is past δ (canary's lower over stable's upper, for lower is better),
    /// acceptable when even the least favourable is short of it; each is wrong at some look with probability at most
    /// α. The bounds hold whatever the two arms' dependence, so a shadow step's paired answers (<paramref name="paired"/>)
    /// use the same test. No standard error or statistic: the evidence is the interval. Throws
    /// <see cref="ArgumentException"/> when the metric has no quantile.
    /// </summary>
    public static RolloutMetricVerdict CompareQuantiles(
        RolloutMetric metric, QuantileHistogram stable, QuantileHistogram canary, bool paired, double alpha, RolloutOptions options)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(options);
        metric.Validate();
        options.Validate();
        ValidateAlpha(alpha);
        if (metric.Quantile is not { } p)
        {
            throw new ArgumentException($"Rollout metric '{metric.Name}' compares means, not a quantile.", nameof(metric));
        }

        var s = stable.Estimate(p);
        var c = canary.Estimate(p);
        var relative = metric.ThresholdKind == RolloutThresholdKind.Relative;
        if (stable.Count < options.MinimumSamplesForVerdict || canary.Count < options.MinimumSamplesForVerdict
            || s is not { } sv || c is not { } cv || (relative && !(sv > 0 && cv > 0)))
        {
            return Undecided(metric, paired, stable.Count, canary.Count, s, c, alpha) with { Quantile = p };
        }

        var (stableLow, stableHigh) = QuantileConfidenceSequence.Bounds(stable, p, alpha / 2);
        var (canaryLow, canaryHigh) = QuantileConfidenceSequence.Bounds(canary, p, alpha / 2);
        double difference, low, high, limit;
        if (relative)
        {
            difference = (cv / sv) - 1;
            low = double.IsPositiveInfinity(stableHigh) ? -1 : (canaryLow / stableHigh) - 1;
            high = stableLow > 0 ? (canaryHigh / stableLow) - 1 : double.PositiveInfinity;
        }
        else
        {
            difference = cv - sv;
            low = canaryLow - stableHigh;
            high = canaryHigh - stableLow;
        }

        // The degradation's limit on the difference scale: +δ when lower is better, −δ when higher is.
        var lowerIsBetter = metric.Direction == RolloutDirection.LowerIsBetter;
        limit = lowerIsBetter ? metric.Threshold : -metric.Threshold;
        var verdict = lowerIsBetter
            ? low > limit ? RolloutVerdict.Harmful : high < limit ? RolloutVerdict.Acceptable : RolloutVerdict.Inconclusive
            : high < limit ? RolloutVerdict.Harmful : low > limit ? RolloutVerdict.Acceptable : RolloutVerdict.Inconclusive;
        return new RolloutMetricVerdict(
            metric.Name,
            metric.Scale,
            metric.Direction,
            metric.ThresholdKind,
            metric.Threshold,
            metric.CanAbort,
            paired,
            verdict,
            stable.Count,
            canary.Count,
            sv,
            cv,
            difference,
            double.IsFinite(low) ? low : null,
            double.IsFinite(high) ? high : null,
            1 - (2 * alpha),
            null,
            null,
            null,
            p);
    }

    /// <summary>
    /// The one-sided normal-mixture boundary z*(r) for information ratio r = τ²/s² and error rate α (see the remarks):
    /// the standardised estimate crosses it at any look with probability at most α. Decreases from +∞ at r → 0 to a
    /// minimum near r ≈ 2·ln(1/α) and then grows like √(ln r).
    /// </summary>
    public static double CriticalValue(double informationRatio, double alpha)
    {
        ValidateAlpha(alpha);
        if (!(informationRatio > 0) || double.IsPositiveInfinity(informationRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(informationRatio), informationRatio, "must be positive and finite");
        }

        var r = informationRatio;
        var k2 = r / (1 + r);
        var k = Math.Sqrt(k2);
        var halfLog = 0.5 * Math.Log(1 + r);
        var target = -Math.Log(alpha);

        // Start from the two-sided mixture at 2α (the same martingale without the Φ factor, closed form), which is just
        // below the root, then Newton: the function is increasing and convex in z, so after the first step the
        // iterates approach the root from above and the result errs on the conservative side.
        var z = Math.Sqrt(((2 * (target - Math.Log(2))) + (2 * halfLog)) / k2);
        for (var i = 0; i < 50; i++)
        {
            var u = z * k;
            var cdf = StandardNormal.Cdf(u);
            var f = Math.Log(2) + Math.Log(cdf) + (z * z * k2 / 2) - halfLog - target;
            var slope = (k * StandardNormal.Density(u) / cdf) + (z * k2);
            var step = f / slope;
            z -= step;
            if (Math.Abs(step) < 1e-12 * Math.Max(1, z))
            {
                break;
            }
        }

        return z;
    }

    private static RolloutMetricVerdict Judge(
        RolloutMetric metric, bool paired, long stableCount, long canaryCount, double s, double c, double estimate, double variance, double alpha, RolloutOptions options)
    {
        var threshold = metric.AnalysisThreshold;
        var tau = options.MixtureScale * threshold;
        var se = Math.Max(Math.Sqrt(Math.Max(variance, 0)), StandardErrorFloor * tau);
        if (!double.IsFinite(estimate) || !double.IsFinite(se))
        {
            return Undecided(metric, paired, stableCount, canaryCount, s, c, alpha);
        }

        var critical = CriticalValue(tau * tau / (se * se), alpha);
        var degradation = metric.Direction == RolloutDirection.LowerIsBetter ? estimate : -estimate;
        var statistic = (degradation - threshold) / se;
        var verdict = statistic >= critical ? RolloutVerdict.Harmful : statistic <= -critical ? RolloutVerdict.Acceptable : RolloutVerdict.Inconclusive;
        var low = estimate - (critical * se);
        var high = estimate + (critical * se);
        var relative = metric.ThresholdKind == RolloutThresholdKind.Relative;
        return new RolloutMetricVerdict(
            metric.Name,
            metric.Scale,
            metric.Direction,
            metric.ThresholdKind,
            metric.Threshold,
            metric.CanAbort,
            paired,
            verdict,
            stableCount,
            canaryCount,
            s,
            c,
            relative ? Math.Exp(estimate) - 1 : estimate,
            relative ? Math.Exp(low) - 1 : low,
            relative ? Math.Exp(high) - 1 : high,
            1 - (2 * alpha),
            se,
            statistic,
            critical);
    }

    private static RolloutMetricVerdict Undecided(RolloutMetric metric, bool paired, long stableCount, long canaryCount, double? s, double? c, double alpha)
    {
        double? difference = s is { } sv && c is { } cv
            ? metric.ThresholdKind == RolloutThresholdKind.Absolute ? cv - sv : sv > 0 ? (cv - sv) / sv : null
            : null;
        return new RolloutMetricVerdict(
            metric.Name,
            metric.Scale,
            metric.Direction,
            metric.ThresholdKind,
            metric.Threshold,
            metric.CanAbort,
            paired,
            RolloutVerdict.Inconclusive,
            stableCount,
            canaryCount,
            s,
            c,
            difference,
            null,
            null,
            1 - (2 * alpha),
            null,
            null,
            null);
    }

    /// <summary>
    /// Each rate arm's variance (of a reading, or of its log for a relative threshold): the larger of the observed
    /// one, p̃(1 − p̃) with p̃ = (events + 1)/(n + 2), and the one at the threshold, with the two rates constrained to
    /// differ by exactly δ (or in the ratio 1 ± δ) and to account for all the events seen (Farrington and Manning
    /// 1990). The observed variance alone is anti-conservative: a canary whose rate is low by chance looks both better
    /// and more certain, and is called acceptable too often.
    /// </summary>
    private static (double Stable, double Canary) RateVariances(RolloutMetric metric, ArmMoments stable, ArmMoments canary)
    {
        var relative = metric.ThresholdKind == RolloutThresholdKind.Relative;
        var worse = metric.Direction == RolloutDirection.LowerIsBetter ? 1 : -1;
        var shift = worse * metric.Threshold;
        var ratio = 1 + shift;
        var events = stable.Sum + canary.Sum;
        var ps0 = relative
            ? events / (stable.Count + (ratio * canary.Count))
            : (events - (canary.Count * shift)) / (stable.Count + canary.Count);

        // Clamp along the constraint: the stable rate moves to the nearest point at which both it and the canary's
        // (derived from it) are inside [floor, 1 − floor]. Clamping each on its own (few events: ps0 < 0 pulled up,
        // pc0 left where it was) shrinks the gap below δ, and with it the worse arm's variance at the threshold.
        var floor = 0.5 / (stable.Count + canary.Count + 1);
        var (low, high) = relative
            ? (Math.Max(floor, floor / ratio), Math.Min(1 - floor, (1 - floor) / ratio))
            : (Math.Max(floor, floor - shift), Math.Min(1 - floor, 1 - floor - shift));
        double pc0;
        if (low <= high)
        {
            ps0 = Math.Clamp(ps0, low, high);
            pc0 = relative ? ps0 * ratio : ps0 + shift;
        }
        else
        {
            // No two rates are that far apart (an absolute δ ≥ 1 − 2·floor): there is no point at the threshold.
            pc0 = Math.Clamp(relative ? ps0 * ratio : ps0 + shift, floor, 1 - floor);
            ps0 = Math.Clamp(ps0, floor, 1 - floor);
        }

        var ps = Math.Clamp((stable.Sum + 1) / (stable.Count + 2), floor, 1 - floor);
        var pc = Math.Clamp((canary.Sum + 1) / (canary.Count + 2), floor, 1 - floor);
        return relative
            ? (Math.Max((1 - ps) / ps, (1 - ps0) / ps0), Math.Max((1 - pc) / pc, (1 - pc0) / pc0))
            : (Math.Max(ps * (1 - ps), ps0 * (1 - ps0)), Math.Max(pc * (1 - pc), pc0 * (1 - pc0)));
    }

    /// <summary>
    /// Each value arm's variance (of a reading, or its squared coefficient of variation for a relative threshold):
    /// the larger of the two arms' for both. Under the threshold the arms differ by a shift (or a scale), so they share
    /// the variance (or the coefficient of variation); the small canary arm's own estimate is noisy and, with skewed
    /// data, low exactly when its mean is low by chance, which would make it look acceptable too often.
    /// </summary>
    private static (double Stable, double Canary) ValueVariances(bool relative, ArmMoments stable, ArmMoments canary, double s, double c)
    {
        var vs = stable.Variance ?? 0;
        var vc = canary.Variance ?? 0;
        if (relative)
        {
            vs /= s * s;
            vc /= c * c;
        }

        var shared = Math.Max(vs, vc);
        return (shared, shared);
    }

    private static void ValidateAlpha(double alpha)
    {
        if (!(alpha > 0 && alpha < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "A per-side error rate is in (0, 0.5).");
        }
    }
}
