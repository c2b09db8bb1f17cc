using System.Globalization;
using System.Text.Json;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Rollouts;

/// <summary>
/// Reads a rollout plan strictly: every problem with its field (<c>plan.steps[2].weight</c>), so a plan that
/// cannot be carried out is refused before anything changes.
/// </summary>
internal static class RolloutPlanReader
{
    public const int MaxSteps = 20;
    public const int MaxMetrics = 16;
    private static readonly TimeSpan MaxStepDuration = TimeSpan.FromHours(24);
    private static readonly TimeSpan DefaultMinDuration = TimeSpan.FromMinutes(5);
    private const long DefaultMinSamples = 100;

    /// <summary>
    /// The shortest step a plan may have (its maximum duration): the step's window reads whole minutes that ended by
    /// the look's settled instant, and the first whole minute of a step has ended at most two minutes after it began.
    /// </summary>
    public static readonly TimeSpan MinMaxDuration = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Distinct units per arm a weight step needs by default: with fewer, an arm is a handful of applications or users,
    /// and its difference from the other arm is theirs, not the version's (docs/canary-analysis.md).
    /// </summary>
    public const long DefaultMinUnits = 20;

    /// <summary>
    /// The plan as a rollout stores it at its start: each weight step's <c>min_units</c> written out, so a later change
    /// of the default never changes what a running rollout is held to.
    /// </summary>
    public static RolloutPlan WithStoredDefaults(RolloutPlan plan) => plan.Steps is not { } steps ? plan : plan with
    {
        Steps = [.. steps.Select(step => step is { Shadow: not true, MinUnits: null } ? step with { MinUnits = DefaultMinUnits } : step!)],
    };

    /// <summary>
    /// Each arm's sampling rate while a rollout runs, when its plan leaves it out: every request is a reading, as the
    /// default plan's calibration assumes (docs/canary-analysis.md).
    /// </summary>
    public const double DefaultSamplingRate = 1.0;

    /// <summary>The behaviour series a plan may judge, and how each reads. Bundle metrics (pass rates) and their <c>.score</c> come on top.</summary>
    private static readonly Dictionary<string, (MetricKind Kind, bool LowerIsBetter)> BuiltIn = new(StringComparer.Ordinal)
    {
        [OnlineMetrics.Error] = (MetricKind.Rate, true),
        [OnlineMetrics.Refusal] = (MetricKind.Rate, true),
        [OnlineMetrics.Truncation] = (MetricKind.Rate, true),
        [OnlineMetrics.LatencyMs] = (MetricKind.Value, true),
        [OnlineMetrics.TimeToFirstTokenMs] = (MetricKind.Value, true),
        [OnlineMetrics.CostUsd] = (MetricKind.Value, true),
        [OnlineMetrics.OutputTokens] = (MetricKind.Value, true),
        [OnlineMetrics.InputTokens] = (MetricKind.Value, true),
    };

    /// <summary>Whether <paramref name="metric"/> is one of the gateway's own counters, read without any version's online_eval.</summary>
    public static bool IsBuiltIn(string? metric) => metric is not null && (BuiltIn.ContainsKey(metric.Trim()) || QuantileMetricName.TryParse(metric.Trim(), out _, out _));

    /// <summary>The plan used when neither the request nor the bundle has one (see docs/canary-analysis.md for its calibration).</summary>
    public static RolloutPlan Default { get; } = new()
    {
        Steps =
        [
            new RolloutPlanStep { Weight = 5, MinDuration = "10m", MinSamples = 600, MaxDuration = "60m" },
            new RolloutPlanStep { Weight = 25, MinDuration = "5m", MinSamples = 1500, MaxDuration = "20m" },
            new RolloutPlanStep { Weight = 50, MinDuration = "5m", MinSamples = 3000, MaxDuration = "20m" },
        ],
        Metrics =
        [
            new RolloutMetricSpec { Metric = OnlineMetrics.Error, Direction = "lower", Threshold = 0.02, Abort = true },
            new RolloutMetricSpec { Metric = OnlineMetrics.Refusal, Direction = "lower", Threshold = 0.05, Abort = true },
            new RolloutMetricSpec { Metric = OnlineMetrics.CostUsd, Direction = "lower", Threshold = 0.2, Relative = true, Abort = true },
            new RolloutMetricSpec { Metric = OnlineMetrics.OutputTokens, Direction = "lower", Threshold = 0.3, Relative = true, Abort = false },
            new RolloutMetricSpec { Metric = OnlineMetrics.LatencyMs, Direction = "lower", Threshold = 0.2, Relative = true, Abort = false },
        ],
        OnInconclusive = "pause",
    };

    /// <param name="baseline">
    /// The stable version's plan, when known (at start and at every look; not at push): a weight step compares the
    /// arms, and each arm's samples are scored under its own version's plan, so a bundle metric must be defined the
    /// same way on both.
    /// </param>
    /// <param name="baselineVersion">The stable version, for the message.</param>
    /// <param name="running">
    /// The plan of a rollout already running (read again at each look or skip-step), not one being pushed or started:
    /// a relative threshold on a score, refused since, is still read, so a deploy does not stop such a rollout.
    /// </param>
    public static ValidatedRolloutPlan? Read(
        RolloutPlan plan, OnlineEvalPlan candidate, List<FieldError> errors, string field = "plan", OnlineEvalPlan? baseline = null, int baselineVersion = 0, bool running = false)
    {
        var before = errors.Count;
        var steps = new List<RolloutStepPlan>();
        var rawSteps = plan.Steps ?? [];
        if (rawSteps.Any(s => s is null) || (plan.Metrics ?? []).Any(m => m is null))
        {
            errors.Add(new FieldError($"{field}", "Steps and metrics are objects, not null."));
            return null;
        }

        if (rawSteps.Count is 0 or > MaxSteps)
        {
            errors.Add(new FieldError($"{field}.steps", $"From 1 to {MaxSteps} steps."));
        }

        var lastWeight = 0;
        for (var i = 0; i < rawSteps.Count && i < MaxSteps; i++)
        {
            var step = rawSteps[i];
            var at = $"{field}.steps[{i}]";
            var minDuration = DefaultMinDuration;
            if (step.MinDuration is not null && !DurationText.TryParse(step.MinDuration, out minDuration))
            {
                errors.Add(new FieldError($"{at}.min_duration", "A duration such as 30s, 5m or 1h (at most 24h: the minute series are kept 2 days)."));
            }

            var maxDuration = minDuration * 3 > MaxStepDuration ? MaxStepDuration : minDuration * 3;
            if (minDuration > MaxStepDuration)
            {
                errors.Add(new FieldError($"{at}.min_duration", "At most 24h: the minute series a step is judged on are kept 2 days."));
            }

            if (step.MaxDuration is not null && (!DurationText.TryParse(step.MaxDuration, out maxDuration) || maxDuration < minDuration || maxDuration > MaxStepDuration))
            {
                errors.Add(new FieldError($"{at}.max_duration", "A duration such as 15m, at least min_duration and at most 24h."));
            }
            else if (maxDuration < MinMaxDuration && !running)
            {
                // A step is judged on whole minutes that have settled: one that ends sooner can end with none read, and
                // pause (or pass) at its maximum without a single reading, holding its weight unjudged until then.
                errors.Add(new FieldError($"{at}.max_duration", step.MaxDuration is null
                    ? $"At least {DurationText.Format(MinMaxDuration)}: a step is judged on whole minutes of samples (without max_duration it is 3 × min_duration)."
                    : $"At least {DurationText.Format(MinMaxDuration)}: a step is judged on whole minutes of samples."));
            }

            if (step.MinSamples is < 1 or > 10_000_000)
            {
                errors.Add(new FieldError($"{at}.min_samples", "From 1 to 10000000 samples per arm."));
            }

            if (step.MinUnits is < 1 or > 10_000_000)
            {
                errors.Add(new FieldError($"{at}.min_units", "From 1 to 10000000 distinct users or sessions per arm."));
            }

            if (step.Shadow == true)
            {
                if (step.Weight is not null)
                {
                    errors.Add(new FieldError($"{at}.weight", "A shadow step has no weight: no user sees the candidate."));
                }

                if (i != 0)
                {
                    errors.Add(new FieldError($"{at}.shadow", "A shadow step comes first, before any user sees the candidate."));
                }

                if (step.MinUnits is not null)
                {
                    errors.Add(new FieldError($"{at}.min_units", "A shadow step compares two answers to the same requests: it is not gated on units."));
                }

                if (step.Share is { } share && !(share > 0 && share <= 1))
                {
                    errors.Add(new FieldError($"{at}.share", "Greater than 0 and at most 1."));
                }

                steps.Add(new RolloutStepPlan(0, true, step.Share ?? 0.1, minDuration, step.MinSamples ?? DefaultMinSamples, maxDuration));
                continue;
            }

            if (step.Weight is not { } weight || !(weight > 0 && weight < 100))
            {
                // At 100% there is no stable arm left to compare with: passing the last step is what promotes.
                errors.Add(new FieldError($"{at}.weight", "The canary's share in percent: more than 0, less than 100 (passing the last step promotes)."));
                continue;
            }

            var bps = (int)Math.Round(weight * 100, MidpointRounding.AwayFromZero);
            if (bps >= 10_000)
            {
                errors.Add(new FieldError($"{at}.weight", "Less than 100 once rounded to basis points (at most 99.99)."));
                continue;
            }

            if (bps <= lastWeight)
            {
                errors.Add(new FieldError($"{at}.weight", string.Create(CultureInfo.InvariantCulture, $"Each step raises the weight: {weight}% does not exceed the step before ({lastWeight / 100.0}%).")));
                continue;
            }

            lastWeight = bps;
            // A running rollout's stored plan has its min_units written out at its start (WithStoredDefaults): one that
            // has none was started before the field existed, and is not held to a gate it was never started under.
            steps.Add(new RolloutStepPlan(Math.Max(1, bps), false, 0, minDuration, step.MinSamples ?? DefaultMinSamples, maxDuration, step.MinUnits ?? (running ? 0 : DefaultMinUnits)));
        }

        if (steps.Count > 0 && steps[^1].Shadow)
        {
            errors.Add(new FieldError($"{field}.steps", "A plan cannot end on a shadow step: at least one weight step follows it."));
        }

        var metrics = new List<RolloutMetricPlan>();
        var rawMetrics = plan.Metrics ?? [];
        if (rawMetrics.Count is 0 or > MaxMetrics)
        {
            errors.Add(new FieldError($"{field}.metrics", $"From 1 to {MaxMetrics} metrics."));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rawMetrics.Count && i < MaxMetrics; i++)
        {
            var metric = rawMetrics[i];
            var at = $"{field}.metrics[{i}]";
            var name = metric.Metric?.Trim() ?? "";
            // A bundle metric pushed under such a name before quantile names were reserved stays the bundle's.
            var bundleNamed = candidate.Assertions.Any(a => a.Metric == name);
            var series = name;
            double? quantile = !bundleNamed && QuantileMetricName.TryParse(name, out series, out var q) ? q : null;
            (MetricKind Kind, bool LowerIsBetter)? known = BuiltIn.TryGetValue(quantile is null ? name : series, out var builtIn) ? builtIn
                : candidate.Assertions.Any(a => a.Metric == name) ? (MetricKind.Rate, false)
                : candidate.Assertions.Any(a => a.NeedsJudge && a.Metric + OnlineEvalPlan.ScoreSuffix == name) ? (MetricKind.Value, false)
                : null;
            if (known is not { } kind)
            {
                var bundle = candidate.Assertions.Select(a => a.Metric).ToList();
                errors.Add(new FieldError($"{at}.metric", $"'{name}' is not a metric the gateway measures: one of {string.Join(", ", BuiltIn.Keys)}; a quantile of {QuantileMetricName.Forms}" +
                    (bundle.Count > 0 ? $", or the candidate's online_eval metrics {string.Join(", ", bundle)}." : ".")));
                continue;
            }

            if (baseline is not null && quantile is null && !BuiltIn.ContainsKey(name) && !SameOnBoth(name, candidate, baseline))
            {
                errors.Add(new FieldError($"{at}.metric", $"'{name}' is not defined the same way in the stable version v{baselineVersion}'s online_eval: a weight step compares the two arms, each scored by its own version's assertions, so both must define it identically."));
                continue;
            }

            if (!seen.Add(name))
            {
                errors.Add(new FieldError($"{at}.metric", $"'{name}' is judged twice."));
                continue;
            }

            var lowerIsBetter = kind.LowerIsBetter;
            if (metric.Direction is not null)
            {
                if (metric.Direction is not ("lower" or "higher"))
                {
                    errors.Add(new FieldError($"{at}.direction", "'lower' or 'higher' (which is better)."));
                    continue;
                }

                if ((metric.Direction == "lower") != kind.LowerIsBetter)
                {
                    errors.Add(new FieldError($"{at}.direction", $"'{name}' is better {(kind.LowerIsBetter ? "lower" : "higher")}."));
                    continue;
                }
            }

            var relative = metric.Relative ?? false;
            if (relative && kind.Kind == MetricKind.Rate)
            {
                // A relative change of a rate that is 0 on stable is undefined: a harmful canary would never be caught.
                errors.Add(new FieldError($"{at}.relative", $"'{name}' is a rate: give its threshold in points (0.02 = 2 points), not relative."));
                continue;
            }

            if (relative && !kind.LowerIsBetter && !running)
            {
                // A relative change is read on the log of the ratio, undefined once the canary's mean is 0: a candidate
                // whose every answer scores 0 (the worst there is) would never be found harmful.
                errors.Add(new FieldError($"{at}.relative", $"'{name}' is a score (higher is better): give its threshold in score units (0.1 on a 0 to 1 scale), not relative."));
                continue;
            }

            if (metric.Threshold is not { } threshold || !double.IsFinite(threshold) || threshold < 1e-6 || threshold > 1e6
                || (kind.Kind == MetricKind.Rate && threshold >= 1) || (relative && !kind.LowerIsBetter && threshold >= 1))
            {
                errors.Add(new FieldError($"{at}.threshold", "The largest acceptable degradation, a positive number (a rate's absolute threshold below 1; 0.02 = 2 points, or with relative: 0.2 = 20%)."));
                continue;
            }

            metrics.Add(new RolloutMetricPlan(name, kind.Kind, lowerIsBetter, threshold, relative, metric.Abort ?? true, quantile));
        }

        var pause = true;
        if (plan.OnInconclusive is not null and not "pause" and not "continue")
        {
            errors.Add(new FieldError($"{field}.on_inconclusive", "'pause' (default) or 'continue'."));
        }
        else
        {
            pause = plan.OnInconclusive != "continue";
        }

        var sampling = new RolloutSampling
        {
            Stable = SamplingRate(plan.Sampling?.Stable, $"{field}.sampling.stable", errors),
            Canary = SamplingRate(plan.Sampling?.Canary, $"{field}.sampling.canary", errors),
        };

        return errors.Count > before ? null : new ValidatedRolloutPlan(steps, metrics, pause, sampling);
    }

    /// <summary>An arm's rate: greater than 0 (a rollout that samples nothing would starve) and at most 1; absent is 1.</summary>
    private static double SamplingRate(double? rate, string field, List<FieldError> errors)
    {
        if (rate is { } given && !(given > 0 && given <= 1))
        {
            errors.Add(new FieldError(field, "The share of the arm's requests sampled while the rollout runs: greater than 0 and at most 1 (default 1, every request)."));
        }

        return rate ?? DefaultSamplingRate;
    }

    /// <summary>Whether a bundle metric (a pass rate, or its judge's <c>.score</c>) has the same assertion in both plans.</summary>
    private static bool SameOnBoth(string name, OnlineEvalPlan candidate, OnlineEvalPlan baseline)
    {
        var metric = name.EndsWith(OnlineEvalPlan.ScoreSuffix, StringComparison.Ordinal) && !candidate.Assertions.Any(a => a.Metric == name)
            ? name[..^OnlineEvalPlan.ScoreSuffix.Length]
            : name;
        var mine = candidate.Assertions.FirstOrDefault(a => a.Metric == metric);
        var theirs = baseline.Assertions.FirstOrDefault(a => a.Metric == metric);
        return mine is not null && theirs is not null
            && JsonSerializer.Serialize(mine.Spec, ScoringJsonContext.Default.AssertionSpec) == JsonSerializer.Serialize(theirs.Spec, ScoringJsonContext.Default.AssertionSpec)
            && (!mine.NeedsJudge || candidate.Judge?.Model == baseline.Judge?.Model);
    }
}
