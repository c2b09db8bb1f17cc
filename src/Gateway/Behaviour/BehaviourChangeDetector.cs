using System.Globalization;
using LlmGateway.Contracts.Behaviour;
using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Releases;
using Microsoft.Extensions.Options;

namespace LlmGateway.Behaviour;

/// <summary>
/// One look at every series: for each prompt, environment and metric, the minutes since the metric's current
/// level began (at most <see cref="OnlineEvalOptions.DetectionWindowMinutes"/>, the minute still filling and those
/// that ended within <see cref="OnlineEvalOptions.DetectionSettleSeconds"/> left out), all arms together, through the GLR change-point scan (<see cref="ChangePointDetector"/>; see
/// docs/change-detection.md). A change is recorded with its nearest activation, and the metric's next look
/// starts at its boundary.
/// </summary>
internal sealed class BehaviourChangeDetector(
    BehaviourStore behaviour,
    ScoredThrough scored,
    BehaviourChangeStore changes,
    ActivationHistory history,
    IOptions<OnlineEvalOptions> options,
    TimeProvider time,
    ILogger<BehaviourChangeDetector> logger)
{
    public ChangePointOptions Options { get; init; } = ChangePointOptions.Default;

    /// <summary>
    /// Looks once at every series; returns the changes it recorded. <paramref name="stillLeader"/> is asked before each
    /// prompt (it renews the lease): a look that outlasts its lease stops rather than race the next leader.
    /// </summary>
    public async Task<IReadOnlyList<BehaviourChange>> DetectAsync(CancellationToken cancellationToken, Func<Task<bool>>? stillLeader = null)
    {
        var found = new List<BehaviourChange>();
        await PruneIdleAsync();
        foreach (var (prompt, environment) in await behaviour.ListSeriesAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (stillLeader is not null && !await stillLeader())
            {
                break;
            }

            try
            {
                found.AddRange(await DetectAsync(prompt, environment));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One prompt's unreadable history or segment must not stop the look for every prompt after it.
                BehaviourLog.DetectionFailed(logger, prompt, environment, ex.GetType().Name);
            }
        }

        return found;
    }

    /// <summary>
    /// A series nothing has counted into for a whole detection window (and the settling time, and a minute's margin)
    /// has no bucket left for a look to read: it leaves the index, and a new sample brings it back. Without this,
    /// every prompt that ever had a sample was read every look, for good.
    /// </summary>
    private async Task PruneIdleAsync()
    {
        var now = time.GetUtcNow();
        var idle = TimeSpan.FromMinutes(options.Value.DetectionWindowMinutes + 1) + TimeSpan.FromSeconds(options.Value.DetectionSettleSeconds);
        try
        {
            foreach (var (prompt, environment) in await behaviour.PruneIdleAsync(now - idle, now))
            {
                BehaviourLog.SeriesPruned(logger, prompt, environment);
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Only housekeeping: the look goes on over the index as it is.
            BehaviourLog.PruneFailed(logger, ex.GetType().Name);
        }
    }

    public async Task<IReadOnlyList<BehaviourChange>> DetectAsync(string prompt, string environment)
    {
        var now = time.GetUtcNow();
        // Exclusive: the minute still filling and those whose late samples may still be arriving are left out, and those
        // from the oldest sample still waiting to be scored on (behind a backlog a minute holds its fast requests first).
        var settled = now - TimeSpan.FromSeconds(options.Value.DetectionSettleSeconds);
        var toMinute = (await scored.ClampAsync(settled)).ToUnixTimeSeconds() / 60;
        var window = options.Value.DetectionWindowMinutes;
        var kinds = await behaviour.MetricsAsync(prompt, environment);
        var segments = await changes.SegmentsAsync(prompt, environment);
        if (kinds.Count == 0)
        {
            return [];
        }

        var starts = kinds.Keys.ToDictionary(m => m, m => Math.Max(toMinute - window, segments.TryGetValue(m, out var s) ? s : 0), StringComparer.Ordinal);
        var fromMinute = starts.Values.Min();
        var minutes = await behaviour.ReadAsync(prompt, environment, fromMinute, toMinute, hourly: false);

        var found = new List<BehaviourChange>();
        var scan = Options with { MaxWindowBuckets = Math.Max(Options.MaxWindowBuckets, window) };
        foreach (var (metric, kind) in kinds)
        {
            var buckets = Buckets(minutes, metric, kind, starts[metric]);
            if (ChangePointDetector.Detect(buckets, kind == MetricKind.Rate ? MetricScale.Rate : MetricScale.Value, scan) is not { } detected)
            {
                continue;
            }

            var boundary = detected.Boundary;
            var windowEnd = boundary.AddMinutes(1);
            var nearest = await NearestActivationAsync(prompt, environment, boundary, windowEnd);
            var change = new BehaviourChange
            {
                Id = BehaviourChangeStore.NewId(now),
                Prompt = prompt,
                Environment = environment,
                Metric = metric,
                Direction = detected.IsIncrease ? "increase" : "decrease",
                Before = detected.Before,
                After = detected.After,
                Difference = detected.Difference,
                CiLow = detected.CiLow,
                CiHigh = detected.CiHigh,
                SamplesBefore = detected.SamplesBefore,
                SamplesAfter = detected.SamplesAfter,
                WindowStart = boundary,
                WindowEnd = windowEnd,
                DetectedAt = now,
                Statistic = detected.Statistic,
                Threshold = detected.Threshold,
                NearestActivation = nearest,
                Arms = Arms(minutes, metric, starts[metric], boundary.ToUnixTimeSeconds() / 60),
            };
            await changes.RecordAsync(change, boundary.ToUnixTimeSeconds() / 60);
            BehaviourLog.ChangeDetected(logger, prompt, environment, metric, change.Direction, change.Before, change.After, boundary,
                nearest is null ? "none" : string.Create(CultureInfo.InvariantCulture, $"{nearest.Action} v{nearest.Version} by {nearest.Actor} at {nearest.At:o}"));
            found.Add(change);
        }

        return found;
    }

    /// <summary>One bucket per minute from <paramref name="fromMinute"/>, every arm added together.</summary>
    private static List<ChangePointBucket> Buckets(IReadOnlyList<(long Minute, StackExchange.Redis.HashEntry[] Entries)> minutes, string metric, MetricKind kind, long fromMinute)
    {
        var buckets = new List<ChangePointBucket>(minutes.Count);
        foreach (var (minute, entries) in minutes)
        {
            if (minute < fromMinute)
            {
                continue;
            }

            var sum = new SeriesAccumulator();
            foreach (var (field, value) in Readings(entries, metric))
            {
                sum.Add(field.Stat, value);
            }

            var squares = kind == MetricKind.Rate ? sum.Sum : sum.SumOfSquares;
            buckets.Add(new ChangePointBucket(DateTimeOffset.FromUnixTimeSeconds(minute * 60), (long)Math.Round(sum.Count), sum.Sum, squares));
        }

        return buckets;
    }

    /// <summary>
    /// One minute's statistics of <paramref name="metric"/>, every version of the arms the split serves users: not a
    /// pinned version's (an evaluation run's burst) nor a shadow copy's (answers no user saw), whose readings would move
    /// the series without any change in what users got.
    /// </summary>
    private static IEnumerable<(SeriesField Field, double Value)> Readings(StackExchange.Redis.HashEntry[] entries, string metric)
    {
        foreach (var entry in entries)
        {
            if (SeriesField.TryParse(entry.Name!, out var field) && field.Metric == metric
                && field.Variant is Routing.Variants.Stable or Routing.Variants.Canary
                && double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                yield return (field, value);
            }
        }
    }

    /// <summary>
    /// Each version and arm's mean either side of <paramref name="boundaryMinute"/>, over the same minutes the scan read:
    /// the series weighs arms by their samples, so this is what says which arm moved.
    /// </summary>
    private static List<BehaviourChangeArm> Arms(IReadOnlyList<(long Minute, StackExchange.Redis.HashEntry[] Entries)> minutes, string metric, long fromMinute, long boundaryMinute)
    {
        var sides = new Dictionary<(int Version, string Variant), (SeriesAccumulator Before, SeriesAccumulator After)>();
        foreach (var (minute, entries) in minutes)
        {
            if (minute < fromMinute)
            {
                continue;
            }

            foreach (var (field, value) in Readings(entries, metric))
            {
                if (!sides.TryGetValue((field.Version, field.Variant), out var arm))
                {
                    arm = (new SeriesAccumulator(), new SeriesAccumulator());
                    sides[(field.Version, field.Variant)] = arm;
                }

                (minute < boundaryMinute ? arm.Before : arm.After).Add(field.Stat, value);
            }
        }

        return [.. sides.OrderBy(arm => arm.Key.Version).ThenBy(arm => arm.Key.Variant, StringComparer.Ordinal).Select(arm => new BehaviourChangeArm
        {
            Version = arm.Key.Version,
            Variant = arm.Key.Variant,
            Before = Mean(arm.Value.Before),
            After = Mean(arm.Value.After),
            SamplesBefore = (long)Math.Round(arm.Value.Before.Count),
            SamplesAfter = (long)Math.Round(arm.Value.After.Count),
        })];

        static double? Mean(SeriesAccumulator side) => side.Count > 0 ? side.Sum / side.Count : null;
    }

    /// <summary>
    /// The activation nearest to the change's minute (<see cref="ActivationAttribution"/>): the last at or before its
    /// end, or one up to <see cref="OnlineEvalOptions.AttributionMarginMinutes"/> after it when that is closer. A
    /// sampling edit counts: the series adds every arm's samples together, so a new rate for one arm moves its level as
    /// a release does.
    /// </summary>
    private async Task<NearestActivation?> NearestActivationAsync(string prompt, string environment, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        var atOrBefore = await history.ActiveAtAsync(prompt, environment, windowEnd);
        var margin = TimeSpan.FromMinutes(options.Value.AttributionMarginMinutes);
        // An event inside the window is as close as any can be: nothing after it is looked for.
        var after = margin > TimeSpan.Zero && (atOrBefore is null || atOrBefore.At < windowStart)
            ? await history.FirstAfterAsync(prompt, environment, windowEnd, windowEnd + margin)
            : null;
        return ActivationAttribution.Choose(atOrBefore, after, windowStart, windowEnd);
    }
}
