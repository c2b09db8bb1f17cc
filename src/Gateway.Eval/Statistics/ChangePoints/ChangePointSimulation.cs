namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// Seeded simulation of the online evaluator running <see cref="ChangePointDetector"/>: every minute, for each metric,
/// the detector sees the buckets since the metric's last recorded change (at most
/// <see cref="ChangePointOptions.MaxWindowBuckets"/> of them); a reported change is recorded and later looks start at
/// its first bucket. The tests assert on these figures and docs/change-detection.md quotes <see cref="ChangePointSimulationReport.Format"/>.
/// </summary>
public static class ChangePointSimulation
{
    /// <summary>Minutes in a simulated hour; the evaluator looks after each.</summary>
    public const int Minutes = 60;

    /// <summary>The first minute of the new level in the power scenarios.</summary>
    public const int StepMinute = 30;

    /// <summary>The seed the documented figures were produced with.</summary>
    public const ulong DefaultSeed = 16;

    /// <summary>The documented run's trials per scenario.</summary>
    public const int DefaultTrials = 1000;

    private const double RefusalBaseline = 0.05;
    private const double ErrorBaseline = 0.02;
    private const double TruncationBaseline = 0.03;
    private const double TokensMean = 150;
    private const double TokensSigma = 0.8;
    private const double LatencyMean = 1300;
    private const double CostMean = 0.002;
    private const double HeavySigma = 1.0;
    private const double ScoreMean = 0.8;
    private const double ScoreSd = 0.15;

    private static readonly SimulatedMetric[] AllMetrics = Enum.GetValues<SimulatedMetric>();

    /// <summary>The traffic levels of the A/A table (mean samples a minute, both arms).</summary>
    public static IReadOnlyList<double> SampleRates { get; } = [5, 20, 100];

    /// <summary>The scale the evaluator would use for <paramref name="metric"/>.</summary>
    public static MetricScale ScaleOf(SimulatedMetric metric) =>
        metric is SimulatedMetric.RefusalRate or SimulatedMetric.ErrorRate or SimulatedMetric.TruncationRate ? MetricScale.Rate : MetricScale.Value;

    /// <summary>The documented run: A/A at 5, 20 and 100 samples a minute, and the four steps at 20 (the refusal steps also at 5 and 100).</summary>
    public static ChangePointSimulationReport Run(int trials = DefaultTrials, ulong seed = DefaultSeed, ChangePointOptions? options = null)
    {
        options ??= ChangePointOptions.Default;
        (SimulatedStep Step, double Rate)[] steps =
        [
            (SimulatedStep.RefusalPlus10Points, 20),
            (SimulatedStep.RefusalPlus10Points, 5),
            (SimulatedStep.RefusalPlus10Points, 100),
            (SimulatedStep.RefusalPlus5Points, 20),
            (SimulatedStep.RefusalPlus5Points, 100),
            (SimulatedStep.RefusalFromZeroTo15Percent, 20),
            (SimulatedStep.OutputTokensPlus40Percent, 20),
            (SimulatedStep.OutputTokensPlus40Percent, 100),
        ];

        // Every scenario has its own seeds, so running them in parallel changes no figure.
        var falseAlarms = new FalseAlarmFigures[SampleRates.Count];
        var power = new PowerFigures[steps.Length];
        Parallel.For(0, falseAlarms.Length + power.Length, i =>
        {
            if (i < falseAlarms.Length)
            {
                falseAlarms[i] = MeasureFalseAlarms(SampleRates[i], trials, seed, options);
            }
            else
            {
                var (step, rate) = steps[i - falseAlarms.Length];
                power[i - falseAlarms.Length] = MeasurePower(step, rate, trials, seed, options);
            }
        });
        return new ChangePointSimulationReport(options, seed, falseAlarms, power);
    }

    /// <summary>
    /// <paramref name="trials"/> hours of two identical versions at <paramref name="samplesPerMinute"/> (Poisson counts a
    /// minute). The arms being identical, the 50/50 split does not change the pooled series, which is what the detector
    /// sees, so the simulation draws the pooled samples directly.
    /// </summary>
    public static FalseAlarmFigures MeasureFalseAlarms(double samplesPerMinute, int trials, ulong seed, ChangePointOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        options ??= ChangePointOptions.Default;
        var hourMax = SimulateStableHours(samplesPerMinute, trials, seed, options, out var alarms, out var anyAlarm);
        var perMetric = AllMetrics.Select((metric, m) =>
        {
            var sorted = hourMax[m].Order().ToArray();
            return new MetricFalseAlarms(metric, ScaleOf(metric), (double)alarms[m] / trials, Quantile(sorted, 0.95), Quantile(sorted, 0.99));
        }).ToList();
        return new FalseAlarmFigures(samplesPerMinute, trials, perMetric, (double)anyAlarm / trials);
    }

    /// <summary>
    /// The A/A hours: per metric (in <see cref="SimulatedMetric"/> order) and trial, the largest statistic the hour's
    /// looks saw before any change was recorded. A metric false-alarms in an hour exactly when that reaches its
    /// threshold, so these also give the false-alarm rates of other thresholds.
    /// </summary>
    internal static double[][] SimulateStableHours(double samplesPerMinute, int trials, ulong seed, ChangePointOptions options, out int[] alarms, out int anyAlarm)
    {
        var series = AllMetrics.Select(_ => new ChangePointBucket[Minutes]).ToArray();
        alarms = new int[AllMetrics.Length];
        var hourMax = AllMetrics.Select(_ => new double[trials]).ToArray();
        anyAlarm = 0;
        var changes = new List<(int Look, int FirstBucketIndex, double Difference)>();
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new ChangePointRandom(TrialSeed(seed, (ulong)Math.Round(samplesPerMinute * 1000), trial));
            GenerateStable(random, samplesPerMinute, series);
            var any = false;
            for (var m = 0; m < AllMetrics.Length; m++)
            {
                changes.Clear();
                hourMax[m][trial] = RunEvaluator(series[m], ScaleOf(AllMetrics[m]), options, changes);
                if (changes.Count > 0)
                {
                    alarms[m]++;
                    any = true;
                }
            }

            anyAlarm += any ? 1 : 0;
        }

        return hourMax;
    }

    /// <summary>
    /// The evaluator left running on identical versions for <paramref name="hours"/> hours (the window grows to
    /// <see cref="ChangePointOptions.MaxWindowBuckets"/> and restarts at each recorded change), to see the false alarms
    /// after the calibrated first hour. <see cref="MetricFalseAlarms.Rate"/> is the metric's recorded changes per hour
    /// over hours 2 to <paramref name="hours"/>, <see cref="FalseAlarmFigures.FamilyWise"/> the share of those hours with
    /// a change recorded on any metric, and the quantiles are NaN.
    /// </summary>
    public static FalseAlarmFigures MeasureSteadyState(double samplesPerMinute, int hours, int trials, ulong seed, ChangePointOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hours, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        options ??= ChangePointOptions.Default;
        var series = AllMetrics.Select(_ => new ChangePointBucket[hours * Minutes]).ToArray();
        var changesPerMetric = new long[AllMetrics.Length];
        var hoursWithChange = 0L;
        var changes = new List<(int Look, int FirstBucketIndex, double Difference)>();
        var hourFlags = new bool[hours];
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new ChangePointRandom(TrialSeed(seed, 2_000_000_000UL + (ulong)Math.Round(samplesPerMinute * 1000), trial));
            GenerateStable(random, samplesPerMinute, series);
            Array.Clear(hourFlags);
            for (var m = 0; m < AllMetrics.Length; m++)
            {
                changes.Clear();
                RunEvaluator(series[m], ScaleOf(AllMetrics[m]), options, changes);
                foreach (var change in changes)
                {
                    // The look at minute L has seen minutes 0..L−1: it belongs to hour (L − 1) / 60.
                    var hour = (change.Look - 1) / Minutes;
                    if (hour >= 1)
                    {
                        changesPerMetric[m]++;
                        hourFlags[hour] = true;
                    }
                }
            }

            hoursWithChange += hourFlags.Count(flag => flag);
        }

        var hourCount = (double)trials * (hours - 1);
        var perMetric = AllMetrics.Select((metric, m) => new MetricFalseAlarms(metric, ScaleOf(metric), changesPerMetric[m] / hourCount, double.NaN, double.NaN)).ToList();
        return new FalseAlarmFigures(samplesPerMinute, trials, perMetric, hoursWithChange / hourCount);
    }

    /// <summary><paramref name="trials"/> hours with <paramref name="step"/> at minute <see cref="StepMinute"/>.</summary>
    public static PowerFigures MeasurePower(SimulatedStep step, double samplesPerMinute, int trials, ulong seed, ChangePointOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        options ??= ChangePointOptions.Default;
        var scale = step == SimulatedStep.OutputTokensPlus40Percent ? MetricScale.Value : MetricScale.Rate;
        var buckets = new ChangePointBucket[Minutes];
        var changes = new List<(int Look, int FirstBucketIndex, double Difference)>();
        var samplesToDetection = new List<double>();
        var minutesToDetection = new List<double>();
        int detected = 0, wrongDirection = 0, falseAlarmBefore = 0, boundaryClose = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            var random = new ChangePointRandom(TrialSeed(seed, 1_000_000_000UL + ((ulong)step * 1_000_000) + (ulong)Math.Round(samplesPerMinute * 1000), trial));
            GenerateStepHour(random, step, samplesPerMinute, buckets);
            changes.Clear();
            RunEvaluator(buckets, scale, options, changes);

            // A look at minute m has seen buckets 0..m−1, so the first look to see the new level is StepMinute + 1.
            falseAlarmBefore += changes.Any(c => c.Look <= StepMinute) ? 1 : 0;
            var first = changes.FirstOrDefault(c => c.Look > StepMinute);
            if (first.Look == 0)
            {
                continue;
            }

            if (first.Difference <= 0)
            {
                wrongDirection++;
                continue;
            }

            detected++;
            long samples = 0;
            for (var i = StepMinute; i < first.Look; i++)
            {
                samples += buckets[i].Count;
            }

            samplesToDetection.Add(samples);
            minutesToDetection.Add(first.Look - StepMinute);
            boundaryClose += Math.Abs(first.FirstBucketIndex - StepMinute) <= 2 ? 1 : 0;
        }

        samplesToDetection.Sort();
        minutesToDetection.Sort();
        return new PowerFigures(
            step,
            samplesPerMinute,
            trials,
            (double)detected / trials,
            (double)wrongDirection / trials,
            (double)falseAlarmBefore / trials,
            Quantile(samplesToDetection, 0.5),
            Quantile(samplesToDetection, 0.95),
            Quantile(minutesToDetection, 0.5),
            detected == 0 ? 0 : (double)boundaryClose / detected);
    }

    /// <summary>
    /// The evaluator's loop over one metric's hour: a look after every minute at the buckets since the last recorded
    /// change. Records each change (the look's minute, the absolute index of the new level's first bucket and the
    /// difference) and returns the largest statistic seen while no change had been recorded (the hour's maximum when
    /// none was): the hour false-alarms exactly when that reaches the threshold.
    /// </summary>
    internal static double RunEvaluator(ChangePointBucket[] buckets, MetricScale scale, ChangePointOptions options, List<(int Look, int FirstBucketIndex, double Difference)> changes)
    {
        var threshold = options.ThresholdFor(scale);
        var windowStart = 0;
        var hourMax = 0.0;
        for (var look = 1; look <= buckets.Length; look++)
        {
            var from = Math.Max(windowStart, look - options.MaxWindowBuckets);
            var window = new ReadOnlySpan<ChangePointBucket>(buckets, from, look - from);
            if (changes.Count == 0)
            {
                // Before the first change the scan's statistic is what decides; keep it for the calibration and only
                // build the change (a second scan) when it reaches the threshold.
                if (ChangePointDetector.Scan(window, scale, options) is not { } split)
                {
                    continue;
                }

                hourMax = Math.Max(hourMax, split.Statistic);
                if (split.Statistic < threshold)
                {
                    continue;
                }
            }

            if (ChangePointDetector.Detect(window, scale, options) is { } change)
            {
                var first = from + change.FirstBucketIndex;
                changes.Add((look, first, change.Difference));
                windowStart = first;
            }
        }

        return hourMax;
    }

    private static void GenerateStable(ChangePointRandom random, double samplesPerMinute, ChangePointBucket[][] series)
    {
        Span<double> sums = stackalloc double[AllMetrics.Length];
        Span<double> squares = stackalloc double[AllMetrics.Length];
        for (var minute = 0; minute < series[0].Length; minute++)
        {
            sums.Clear();
            squares.Clear();
            var count = random.Poisson(samplesPerMinute);
            for (var i = 0; i < count; i++)
            {
                Add(sums, squares, SimulatedMetric.RefusalRate, random.Bernoulli(RefusalBaseline));
                Add(sums, squares, SimulatedMetric.ErrorRate, random.Bernoulli(ErrorBaseline));
                Add(sums, squares, SimulatedMetric.TruncationRate, random.Bernoulli(TruncationBaseline));
                Add(sums, squares, SimulatedMetric.OutputTokens, Tokens(random, TokensMean));
                Add(sums, squares, SimulatedMetric.LatencyMs, random.LogNormal(LatencyMean, HeavySigma));
                Add(sums, squares, SimulatedMetric.CostUsd, random.LogNormal(CostMean, HeavySigma));
                Add(sums, squares, SimulatedMetric.JudgeScore, Math.Clamp(ScoreMean + (ScoreSd * random.Normal()), 0, 1));
            }

            var start = MinuteStart(minute);
            for (var m = 0; m < AllMetrics.Length; m++)
            {
                series[m][minute] = new ChangePointBucket(start, count, sums[m], squares[m]);
            }
        }
    }

    private static void GenerateStepHour(ChangePointRandom random, SimulatedStep step, double samplesPerMinute, ChangePointBucket[] buckets)
    {
        for (var minute = 0; minute < Minutes; minute++)
        {
            var after = minute >= StepMinute;
            var count = random.Poisson(samplesPerMinute);
            double sum = 0, squares = 0;
            for (var i = 0; i < count; i++)
            {
                var x = step switch
                {
                    SimulatedStep.RefusalPlus10Points => random.Bernoulli(after ? 0.15 : RefusalBaseline),
                    SimulatedStep.RefusalPlus5Points => random.Bernoulli(after ? 0.10 : RefusalBaseline),
                    SimulatedStep.RefusalFromZeroTo15Percent => random.Bernoulli(after ? 0.15 : 0),
                    _ => Tokens(random, after ? TokensMean * 1.4 : TokensMean),
                };
                sum += x;
                squares += x * x;
            }

            buckets[minute] = new ChangePointBucket(MinuteStart(minute), count, sum, squares);
        }
    }

    private static double Tokens(ChangePointRandom random, double mean) => Math.Max(1, Math.Round(random.LogNormal(mean, TokensSigma)));

    private static void Add(Span<double> sums, Span<double> squares, SimulatedMetric metric, double x)
    {
        sums[(int)metric] += x;
        squares[(int)metric] += x * x;
    }

    private static DateTimeOffset MinuteStart(int minute) => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minute);

    private static ulong TrialSeed(ulong seed, ulong scenario, int trial) =>
        unchecked((seed * 0x9E3779B97F4A7C15UL) + (scenario * 0xBF58476D1CE4E5B9UL) + (ulong)trial);

    /// <summary>Linear interpolation between order statistics (type 7) of sorted values; NaN when there are none.</summary>
    private static double Quantile(IReadOnlyList<double> sorted, double p)
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
