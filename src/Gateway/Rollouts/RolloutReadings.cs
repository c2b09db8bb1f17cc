using System.Globalization;
using LlmGateway.Behaviour;
using LlmGateway.Eval.Statistics.Rollouts;
using StackExchange.Redis;

namespace LlmGateway.Rollouts;

/// <summary>
/// Both arms' readings of each plan metric on the same window, from the behaviour series: the stable arm is the
/// baseline version's <c>stable</c> samples, the canary arm the candidate's <c>canary</c> samples. The window starts
/// at the first whole minute of the step (the minute the step began still mixes in the previous weight) and ends
/// with the last whole minute ended by <c>through</c>, the controller's settled instant (its look's time less
/// <see cref="RolloutOptions.SettleSeconds"/>): a minute still filling, or whose slow answers are still arriving, is
/// not read; nor one at or after the oldest sample still waiting to be scored (<see cref="ScoredThrough"/>). Both kinds of step read whole hours from the hour buckets and the minutes either side
/// from the minute buckets, never further back than the hour buckets are kept: a look's reads stay bounded however long
/// the step has been paused.
/// </summary>
internal sealed class RolloutReadings(BehaviourStore behaviour, ScoredThrough scored)
{
    public async Task<Dictionary<string, (ArmMoments Stable, ArmMoments Canary)>> ReadAsync(
        string prompt, string environment, int baseline, int candidate, IEnumerable<string> metrics, DateTimeOffset stepStartedAt, DateTimeOffset through) =>
        (await ReadWindowAsync(prompt, environment, baseline, candidate, metrics, [], stepStartedAt, through)).Moments;

    /// <summary>
    /// <see cref="ReadAsync"/>, and in the same reads each arm's histogram of the <paramref name="quantileSeries"/>
    /// (series that keep one: <see cref="OnlineMetrics.WithQuantiles"/>), keyed by series.
    /// </summary>
    public async Task<RolloutWindow<(ArmMoments Stable, ArmMoments Canary)>> ReadWindowAsync(
        string prompt, string environment, int baseline, int candidate, IEnumerable<string> metrics, IEnumerable<string> quantileSeries,
        DateTimeOffset stepStartedAt, DateTimeOffset through)
    {
        var wanted = metrics.ToHashSet(StringComparer.Ordinal);
        var fromMinute = (stepStartedAt.ToUnixTimeSeconds() + 59) / 60;
        var toMinute = (await scored.ClampAsync(through)).ToUnixTimeSeconds() / 60;
        var readings = wanted.ToDictionary(m => m, _ => (Stable: new SeriesAccumulator(), Canary: new SeriesAccumulator()), StringComparer.Ordinal);
        var histograms = BucketCounts(quantileSeries);
        if (fromMinute < toMinute && histograms.Count > 0)
        {
            // The histograms live in hashes of their own (the change detector reads the sums' whole): read only when judged.
            foreach (var entries in await BucketsAsync(prompt, environment, fromMinute, toMinute, pairs: false, quantiles: true))
            {
                foreach (var entry in entries)
                {
                    if (SeriesBucketField.TryParse((string)entry.Name!, out var bucket)
                        && histograms.TryGetValue(bucket.Metric, out var counts) && Arm(bucket.Version, bucket.Variant, baseline, candidate) is { } isCanary)
                    {
                        AddCount(isCanary ? counts.Canary : counts.Stable, bucket.Bucket, entry.Value);
                    }
                }
            }
        }

        if (fromMinute < toMinute)
        {
            foreach (var entries in await BucketsAsync(prompt, environment, fromMinute, toMinute, pairs: false))
            {
                foreach (var entry in entries)
                {
                    var name = (string)entry.Name!;
                    if (!SeriesField.TryParse(name, out var field) || !readings.TryGetValue(field.Metric, out var arms)
                        || !double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    {
                        continue;
                    }

                    if (Arm(field.Version, field.Variant, baseline, candidate) is { } canary)
                    {
                        (canary ? arms.Canary : arms.Stable).Add(field.Stat, value);
                    }
                }
            }
        }

        return new(
            readings.ToDictionary(r => r.Key, r => (Moments(r.Value.Stable), Moments(r.Value.Canary)), StringComparer.Ordinal),
            Histograms(histograms));
    }

    /// <summary>Which arm a field is of: false for the baseline's stable samples, true for the candidate's canary samples, else null.</summary>
    private static bool? Arm(int version, string variant, int baseline, int candidate) =>
        version == baseline && variant == "stable" ? false
        : version == candidate && variant == "canary" ? true
        : null;

    /// <summary>Empty bucket counts of each arm (or answer) per series judged on a quantile.</summary>
    private static Dictionary<string, (Dictionary<int, long> Stable, Dictionary<int, long> Canary)> BucketCounts(IEnumerable<string> series) =>
        series.Distinct(StringComparer.Ordinal).ToDictionary(m => m, _ => (Stable: new Dictionary<int, long>(), Canary: new Dictionary<int, long>()), StringComparer.Ordinal);

    private static Dictionary<string, (QuantileHistogram Stable, QuantileHistogram Canary)> Histograms(
        Dictionary<string, (Dictionary<int, long> Stable, Dictionary<int, long> Canary)> counts) =>
        counts.ToDictionary(h => h.Key, h => (QuantileHistogram.FromBuckets(h.Value.Stable), QuantileHistogram.FromBuckets(h.Value.Canary)), StringComparer.Ordinal);

    /// <summary>Adds a bucket's stored count (written by HINCRBYFLOAT, so it may read "3" or "3.0"); ignores what is not a count.</summary>
    private static void AddCount(Dictionary<int, long> counts, int bucket, RedisValue stored)
    {
        if (double.TryParse((string?)stored, NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count >= 1 && count < long.MaxValue)
        {
            counts[bucket] = counts.GetValueOrDefault(bucket) + (long)Math.Round(count);
        }
    }

    /// <summary>
    /// The window's buckets: its whole hours from the hour hashes (each holds exactly its minutes' sums), the minutes
    /// either side from the minute hashes. A day-long step is then about 24 reads a look, not 1,440, and a window is
    /// read back at most as far as hour buckets are kept (older ones have expired): at most 2,160 hours and 118 minutes.
    /// A shadow step's pairs (<paramref name="pairs"/>) are bucketed the same way.
    /// </summary>
    private async Task<IEnumerable<HashEntry[]>> BucketsAsync(string prompt, string environment, long fromMinute, long toMinute, bool pairs, bool quantiles = false)
    {
        var reads = Spans(fromMinute, toMinute).Select(s => behaviour.ReadAsync(prompt, environment, s.From, s.To, s.Hourly, pairs, quantiles)).ToList();
        var buckets = new List<HashEntry[]>();
        foreach (var read in reads)
        {
            buckets.AddRange((await read).Select(b => b.Entries));
        }

        return buckets;
    }

    /// <summary>
    /// The window as spans of buckets: the minutes before its first whole hour, its whole hours, the minutes after
    /// (only minutes when it holds no whole hour), never further back than the hour buckets are kept.
    /// </summary>
    private static List<(long From, long To, bool Hourly)> Spans(long fromMinute, long toMinute)
    {
        fromMinute = Math.Max(fromMinute, toMinute - (long)BehaviourStore.HourRetention.TotalMinutes);
        var firstHour = (fromMinute + 59) / 60 * 60;
        var lastHour = toMinute / 60 * 60;
        return lastHour - firstHour < 60
            ? [(fromMinute, toMinute, false)]
            : [(fromMinute, firstHour, false), (firstHour, lastHour, true), (lastHour, toMinute, false)];
    }

    /// <summary>
    /// The distinct assignment units (hashed sessions, users, else gateway keys) of both arms on the same window as
    /// <see cref="ReadAsync"/>: each arm's minute and hour HyperLogLogs counted as one union. Requests of one unit all
    /// land on one arm, so this, not the sample count, is how many independent draws an arm rests on.
    /// </summary>
    public async Task<(long Stable, long Canary)> ReadUnitsAsync(
        string prompt, string environment, int baseline, int candidate, DateTimeOffset stepStartedAt, DateTimeOffset through)
    {
        var fromMinute = (stepStartedAt.ToUnixTimeSeconds() + 59) / 60;
        var toMinute = (await scored.ClampAsync(through)).ToUnixTimeSeconds() / 60;
        if (fromMinute >= toMinute)
        {
            return (0, 0);
        }

        var spans = Spans(fromMinute, toMinute);
        var stable = behaviour.CountUnitsAsync(prompt, environment, baseline, Routing.Variants.Stable, spans);
        var canary = behaviour.CountUnitsAsync(prompt, environment, candidate, Routing.Variants.Canary, spans);
        return (await stable, await canary);
    }

    /// <summary>
    /// A shadow step's paired readings of each plan metric on the same window: the stable and candidate answers to
    /// the same copied requests, and their differences (candidate − stable), from the shadow pairs.
    /// </summary>
    public async Task<Dictionary<string, PairedMoments>> ReadPairedAsync(
        string prompt, string environment, int candidate, IEnumerable<string> metrics, DateTimeOffset stepStartedAt, DateTimeOffset through) =>
        (await ReadPairedWindowAsync(prompt, environment, candidate, metrics, [], stepStartedAt, through)).Moments;

    /// <summary>
    /// <see cref="ReadPairedAsync"/>, and in the same reads the histograms of both answers (stable, candidate) of the
    /// <paramref name="quantileSeries"/>, keyed by series.
    /// </summary>
    public async Task<RolloutWindow<PairedMoments>> ReadPairedWindowAsync(
        string prompt, string environment, int candidate, IEnumerable<string> metrics, IEnumerable<string> quantileSeries, DateTimeOffset stepStartedAt, DateTimeOffset through)
    {
        var wanted = metrics.ToHashSet(StringComparer.Ordinal);
        var fromMinute = (stepStartedAt.ToUnixTimeSeconds() + 59) / 60;
        var toMinute = (await scored.ClampAsync(through)).ToUnixTimeSeconds() / 60;
        var sums = wanted.ToDictionary(m => m, _ => new Dictionary<string, SeriesAccumulator>(StringComparer.Ordinal)
        {
            [BehaviourStore.PairStable] = new(),
            [BehaviourStore.PairCandidate] = new(),
            [BehaviourStore.PairDifference] = new(),
        }, StringComparer.Ordinal);
        var histograms = BucketCounts(quantileSeries);
        if (fromMinute < toMinute)
        {
            foreach (var entries in await BucketsAsync(prompt, environment, fromMinute, toMinute, pairs: true))
            {
                foreach (var entry in entries)
                {
                    var name = (string)entry.Name!;
                    if (SeriesBucketField.TryParse(name, out var bucket))
                    {
                        if (bucket.Version == candidate && histograms.TryGetValue(bucket.Metric, out var counts))
                        {
                            if (bucket.Variant == BehaviourStore.PairStable)
                            {
                                AddCount(counts.Stable, bucket.Bucket, entry.Value);
                            }
                            else if (bucket.Variant == BehaviourStore.PairCandidate)
                            {
                                AddCount(counts.Canary, bucket.Bucket, entry.Value);
                            }
                        }

                        continue;
                    }

                    if (SeriesField.TryParse(name, out var field) && field.Version == candidate
                        && sums.TryGetValue(field.Metric, out var roles) && roles.TryGetValue(field.Variant, out var sum)
                        && double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    {
                        sum.Add(field.Stat, value);
                    }
                }
            }
        }

        return new(
            sums.ToDictionary(
                m => m.Key,
                m => new PairedMoments(
                    Exact(m.Value[BehaviourStore.PairStable]),
                    Exact(m.Value[BehaviourStore.PairCandidate]),
                    Exact(m.Value[BehaviourStore.PairDifference])),
                StringComparer.Ordinal),
            Histograms(histograms));
    }

    // Pairs store all three moments of every role.
    private static ArmMoments Exact(SeriesAccumulator sum) => new((long)Math.Round(sum.Count), sum.Sum, sum.SumOfSquares);

    private static ArmMoments Moments(SeriesAccumulator sum)
    {
        // A rate's values are 0 or 1: its sum of squares is its sum (not stored).
        var squares = sum.SumOfSquares == 0 && sum.Sum > 0 && sum.Sum <= sum.Count ? sum.Sum : sum.SumOfSquares;
        return new ArmMoments((long)Math.Round(sum.Count), sum.Sum, squares);
    }
}
