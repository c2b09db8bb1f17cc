using System.Globalization;
using System.Runtime.InteropServices;
using LlmGateway.Eval.Statistics.Rollouts;
using LlmGateway.Sampling;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Behaviour;

/// <summary>
/// Behaviour series in the store: one hash per prompt, environment and minute (kept 2 days, as usage) and
/// per hour (kept 90 days), fields <see cref="SeriesField"/>. Written by evaluators, one Lua step per prompt
/// per batch (another for each time it finds samples of the batch counted already); read by the behaviour API and the
/// change detector.
/// </summary>
internal sealed class BehaviourStore(GatewayStore store, IOptions<SamplingOptions> sampling, TimeProvider time)
{
    public static readonly TimeSpan MinuteRetention = TimeSpan.FromDays(2);
    public static readonly TimeSpan HourRetention = TimeSpan.FromDays(90);

    /// <summary>
    /// Marks kept per prompt and environment, as a multiple of the drawn samples kept of it (<see cref="SamplingOptions.MaxPerPrompt"/>;
    /// forced ones are never counted): a sample past that many newer ones has been deleted by its cap, and cannot be scored again.
    /// </summary>
    public const int MarksPerKeptSample = 2;

    /// <summary>How much longer than the samples' retention a mark is kept.</summary>
    public static readonly TimeSpan MarkMargin = TimeSpan.FromHours(1);

    /// <summary>
    /// The largest reading counted (in absolute value); beyond it a reading is an error reading. No metric comes
    /// near it, and with it a series' sums of squares cannot overflow: neither a batch's nor the stored totals, which
    /// the store would refuse after the samples were marked counted.
    /// </summary>
    public const double MaxReading = 1e100;

    /// <summary>A reading that can go into the sums: finite and within <see cref="MaxReading"/>.</summary>
    public static bool IsCountable(double value) => Math.Abs(value) <= MaxReading;

    private readonly SeriesFieldNames _fieldNames = new();

    private StoreKeys Keys => store.Keys;

    /// <summary>
    /// Which of a prompt's <paramref name="sampleIds"/> in <paramref name="environment"/> are counted in its series already
    /// (one round trip). For redelivered samples only: scoring one again would pay its judge calls again for readings the
    /// count then throws away.
    /// </summary>
    public async Task<HashSet<string>> AlreadyCountedAsync(string prompt, string environment, IReadOnlyList<string> sampleIds)
    {
        var batch = store.Database.CreateBatch();
        var key = Keys.BehaviourCounted(prompt, environment);
        var before = Keys.BehaviourCountedOfPrompt(prompt);
        var scores = sampleIds.Select(id => (batch.SortedSetScoreAsync(key, id), batch.SortedSetScoreAsync(before, id))).ToArray();
        batch.Execute();
        var counted = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < scores.Length; i++)
        {
            if (await scores[i].Item1 is not null || await scores[i].Item2 is not null)
            {
                counted.Add(sampleIds[i]);
            }
        }

        return counted;
    }

    /// <summary>Counts the samples into their series; returns how many were new (a redelivered sample counts once).</summary>
    /// <returns>The samples counted now: not those counted before (redelivered), nor a second copy in the batch.</returns>
    public async Task<IReadOnlyList<ScoredSample>> CountAsync(IReadOnlyList<ScoredSample> samples)
    {
        var counted = new List<ScoredSample>(samples.Count);
        // One step per prompt and environment: the marks are kept per environment, as the samples' cap is.
        foreach (var group in samples.GroupBy(s => (s.Prompt, s.Environment)))
        {
            counted.AddRange(await CountPromptAsync(group.Key.Prompt, group.Key.Environment, [.. group]));
        }

        return counted;
    }

    private async Task<IReadOnlyList<ScoredSample>> CountPromptAsync(string prompt, string environment, IReadOnlyList<ScoredSample> samples)
    {
        // Samples found counted already (redelivered): summed again without them. Each retry drops at least one.
        // A sample twice in one batch is counted once, as a mark set by its first copy would have it.
        var counted = new bool[samples.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < samples.Count; i++)
        {
            counted[i] = !seen.Add(samples[i].SampleId);
        }

        // First, so a count that lands always has its series listed and readable: a round failing (or a worker dying)
        // right after the step would otherwise leave them unlisted for good, as its redelivered samples are found counted
        // and acked without being scored again. Idempotent; a count that then fails only wrote it early.
        if (BeforeCount is { } before)
        {
            await before(prompt);
        }

        await RecordKindsAsync(prompt, samples);

        IReadOnlyList<ScoredSample> added = [];
        while (true)
        {
            var (indexes, keys, args) = Step(prompt, environment, samples, counted);
            if (indexes.Count == 0)
            {
                break;
            }

            var result = (RedisResult[])(await store.Database.ScriptEvaluateAsync(BehaviourScripts.Count, keys, args))!;
            if ((int)result[0] > 0)
            {
                added = [.. indexes.Select(i => samples[i])];
                break;
            }

            for (var r = 1; r < result.Length; r++)
            {
                counted[indexes[(int)result[r] - 1]] = true;
            }
        }

        if (AfterCount is { } hook)
        {
            await hook(prompt);
        }

        return added;
    }

    /// <summary>Test seam: runs after a prompt's counting step (given the prompt); a throw here is a round failing right after it.</summary>
    internal Func<string, Task>? AfterCount { get; set; }

    /// <summary>Test seam: runs before a prompt's counting step writes anything (a throw here is the store failing it).</summary>
    internal Func<string, Task>? BeforeCount { get; set; }

    /// <summary>The keys and arguments of one <see cref="BehaviourScripts.Count"/> step over the samples not yet known counted.</summary>
    private (List<int> Indexes, RedisKey[] Keys, RedisValue[] Args) Step(string prompt, string environment, IReadOnlyList<ScoredSample> samples, bool[] counted)
    {
        var indexes = new List<int>(samples.Count);
        var hashes = new List<(string Key, TimeSpan Ttl)>();
        var hashIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var sums = new Dictionary<(int Hash, string Field), double>();

        int Hash(string key, TimeSpan ttl)
        {
            if (!hashIndex.TryGetValue(key, out var index))
            {
                hashes.Add((key, ttl));
                index = hashes.Count;
                hashIndex[key] = index;
            }

            return index;
        }

        void Add(int hash, string field, double delta) =>
            CollectionsMarshal.GetValueRefOrAddDefault(sums, (hash, field), out _) += delta;

        // (HLL key index, unit): each unit once per key, however many of the batch's samples it sent.
        var units = new HashSet<(int Key, string Unit)>();

        for (var i = 0; i < samples.Count; i++)
        {
            if (counted[i])
            {
                continue;
            }

            indexes.Add(i);
            var sample = samples[i];
            var minute = Hash(Keys.BehaviourMinute(prompt, sample.Environment, sample.Minute), MinuteRetention);
            var hour = Hash(Keys.BehaviourHour(prompt, sample.Environment, sample.Minute / 60 * 60), HourRetention);
            // In hashes of their own: the change detector reads the sums' minutes whole, every minute.
            var quantileMinute = sample.Unit is null ? 0 : Hash(Keys.BehaviourQuantilesMinute(prompt, sample.Environment, sample.Minute), MinuteRetention);
            var quantileHour = sample.Unit is null ? 0 : Hash(Keys.BehaviourQuantilesHour(prompt, sample.Environment, sample.Minute / 60 * 60), HourRetention);
            foreach (var observation in sample.Observations)
            {
                foreach (var (stat, delta) in Stats(observation))
                {
                    var name = _fieldNames.Of(new SeriesField(sample.Version, sample.Variant, observation.Metric, stat));
                    Add(minute, name, delta);
                    Add(hour, name, delta);
                }

                // Histograms only while a canary serves (the sample then has a unit), as the unit counters: only a
                // rollout reads them, and every other prompt would pay up to a field per occupied bucket in each hash.
                if (sample.Unit is not null && Bucket(observation.Metric, observation.Value) is { } bucket)
                {
                    var name = new SeriesBucketField(sample.Version, sample.Variant, observation.Metric, bucket).ToString();
                    Add(quantileMinute, name, 1);
                    Add(quantileHour, name, 1);
                }
            }

            if (sample.Unit is { } unit && sample.Pairs is null)
            {
                // Per minute and per hour, as the sums: a window's units are its whole hours' and its edge minutes'.
                units.Add((Hash(Keys.BehaviourUnitsMinute(prompt, sample.Environment, sample.Version, sample.Variant, sample.Minute), MinuteRetention), unit));
                units.Add((Hash(Keys.BehaviourUnitsHour(prompt, sample.Environment, sample.Version, sample.Variant, sample.Minute / 60 * 60), HourRetention), unit));
            }

            if (sample.Pairs is { Count: > 0 } pairs)
            {
                // Per minute and per hour, as the served series: a paused shadow step is still read at every look, and
                // resumed after any pause, so its window is read from whole hours (kept 90 days) and the minutes either side.
                var pairMinute = Hash(Keys.BehaviourPairsMinute(prompt, sample.Environment, sample.Minute), MinuteRetention);
                var pairHour = Hash(Keys.BehaviourPairsHour(prompt, sample.Environment, sample.Minute / 60 * 60), HourRetention);
                foreach (var pair in pairs)
                {
                    foreach (var (role, value) in PairRoles(pair))
                    {
                        // All three moments for every role: a difference of rates is −1, 0 or 1, so its squares are not its sum.
                        // Each answer's histogram too (not the differences'): a quantile is compared through both answers' bounds.
                        var bucket = role == PairDifference ? null : Bucket(pair.Metric, value);
                        foreach (var pairHash in (ReadOnlySpan<int>)[pairMinute, pairHour])
                        {
                            Add(pairHash, _fieldNames.Of(new SeriesField(sample.Version, role, pair.Metric, SeriesField.Count)), 1);
                            Add(pairHash, _fieldNames.Of(new SeriesField(sample.Version, role, pair.Metric, SeriesField.Sum)), value);
                            Add(pairHash, _fieldNames.Of(new SeriesField(sample.Version, role, pair.Metric, SeriesField.SumOfSquares)), value * value);
                            if (bucket is { } b)
                            {
                                Add(pairHash, new SeriesBucketField(sample.Version, role, pair.Metric, b).ToString(), 1);
                            }
                        }
                    }
                }
            }
        }

        // The marks of the prompt's environment, then those kept per prompt before (read until they expire: a sample
        // counted then and redelivered now must add nothing either).
        var keys = new RedisKey[2 + hashes.Count];
        keys[0] = Keys.BehaviourCounted(prompt, environment);
        keys[1] = Keys.BehaviourCountedOfPrompt(prompt);
        for (var k = 0; k < hashes.Count; k++)
        {
            keys[2 + k] = hashes[k].Key;
        }

        // A mark lives as long as the sample it marks can: its retention (plus an hour, for evaluators' clocks that
        // differ), and its environment's count cap.
        var options = sampling.Value;
        var now = time.GetUtcNow();
        var kept = options.Retention + MarkMargin;
        // A field whose deltas cancel out (or are all zero) is not written, as no sample changed it.
        var changed = sums.Count(s => s.Value != 0);
        var args = new RedisValue[8 + indexes.Count + hashes.Count + (changed * 3) + (units.Count * 2)];
        var at = 0;
        args[at++] = indexes.Count;
        args[at++] = now.ToUnixTimeMilliseconds();
        args[at++] = (now - kept).ToUnixTimeMilliseconds();
        args[at++] = (long)options.MaxPerPrompt * MarksPerKeptSample;
        args[at++] = (long)kept.TotalSeconds;
        foreach (var index in indexes)
        {
            args[at++] = samples[index].SampleId;
        }

        args[at++] = hashes.Count;
        foreach (var (_, ttl) in hashes)
        {
            args[at++] = (long)ttl.TotalSeconds;
        }

        args[at++] = changed;
        foreach (var ((hash, field), delta) in sums)
        {
            if (!double.IsFinite(delta))
            {
                // Cannot happen with countable readings (see MaxReading); were it to, the store would refuse it after
                // the marks were set. The prompt's batch fails and is retried, then dead-lettered, not lost silently.
                throw new InvalidOperationException($"The behaviour field '{field}' would grow by {delta}.");
            }

            if (delta != 0)
            {
                args[at++] = hash;
                args[at++] = field;
                args[at++] = delta.ToString("R", CultureInfo.InvariantCulture);
            }
        }

        args[at++] = units.Count;
        foreach (var (key, unit) in units)
        {
            args[at++] = key;
            args[at++] = unit;
        }

        return (indexes, keys, args);
    }

    // Idempotent bookkeeping, outside the step: which series exist and how they read.
    private async Task RecordKindsAsync(string prompt, IReadOnlyList<ScoredSample> samples)
    {
        var kinds = new Dictionary<(string Environment, string Metric), MetricKind>();
        foreach (var sample in samples)
        {
            foreach (var observation in sample.Observations)
            {
                kinds[(sample.Environment, observation.Metric)] = observation.Kind;
            }
        }

        var seen = time.GetUtcNow().ToUnixTimeMilliseconds();
        var batch = store.Database.CreateBatch();
        var writes = new List<Task>();
        foreach (var environment in kinds.Keys.Select(k => k.Environment).Distinct(StringComparer.Ordinal))
        {
            var member = IndexMember(prompt, environment);
            // The seen time first (a batch runs in order, not atomically): a prune between the two either sees the new
            // time, or ran before it and is undone by the add that follows.
            writes.Add(batch.HashSetAsync(Keys.BehaviourSeen, member, seen));
            writes.Add(batch.SetAddAsync(Keys.BehaviourIndex, member));
            var entries = kinds.Where(k => k.Key.Environment == environment)
                .Select(k => new HashEntry(k.Key.Metric, KindName(k.Value))).ToArray();
            var metrics = Keys.BehaviourMetrics(prompt, environment);
            writes.Add(batch.HashSetAsync(metrics, entries));
            // Rewritten by every batch; a series nothing counts into any more goes with its last hourly bucket.
            writes.Add(batch.KeyExpireAsync(metrics, HourRetention));
        }

        batch.Execute();
        await Task.WhenAll(writes);
    }

    /// <summary>The histogram bucket a reading of <paramref name="metric"/> counts into, or null when the metric keeps none or the reading is not countable.</summary>
    private static int? Bucket(string metric, double? value) =>
        value is { } reading && IsCountable(reading) && OnlineMetrics.WithQuantiles.Contains(metric) ? QuantileHistogram.BucketOf(reading) : null;

    private static IEnumerable<(char Stat, double Delta)> Stats(MetricObservation observation)
    {
        // A value beyond what the sums can hold is an error reading, as a non-finite one is.
        if (observation.Value is not { } value || !IsCountable(value))
        {
            yield return (SeriesField.Errors, 1);
            yield break;
        }

        yield return (SeriesField.Count, 1);
        if (value != 0)
        {
            yield return (SeriesField.Sum, value);
            if (observation.Kind == MetricKind.Value)
            {
                yield return (SeriesField.SumOfSquares, value * value);
            }
        }

        if (observation.Pass is { } pass)
        {
            yield return (pass ? SeriesField.Passes : SeriesField.Fails, 1);
        }
    }

    /// <summary>The roles of a pair's fields: <see cref="PairStable"/>, <see cref="PairCandidate"/> and <see cref="PairDifference"/> (candidate − stable).</summary>
    private static IEnumerable<(string Role, double Value)> PairRoles(PairedObservation pair)
    {
        yield return (PairStable, pair.Stable);
        yield return (PairCandidate, pair.Candidate);
        yield return (PairDifference, pair.Candidate - pair.Stable);
    }

    public const string PairStable = "stable";
    public const string PairCandidate = "candidate";
    public const string PairDifference = "diff";

    /// <summary>A shadow step's pair fields, minute by minute (fields are of the candidate's version).</summary>
    public async Task<IReadOnlyList<HashEntry[]>> ReadPairsAsync(string prompt, string environment, long fromMinute, long toMinute) =>
        [.. (await ReadAsync(prompt, environment, fromMinute, toMinute, hourly: false, pairs: true)).Select(b => b.Entries)];

    public static string KindName(MetricKind kind) => kind == MetricKind.Rate ? "rate" : "value";

    public static MetricKind ParseKind(string? name) => name == "rate" ? MetricKind.Rate : MetricKind.Value;

    private static string IndexMember(string prompt, string environment) => prompt + "|" + environment;

    /// <summary>
    /// Takes the series nothing has counted into since <paramref name="idleSince"/> out of the index, so the detector stops
    /// reading the windows of dead prompts every look (their buckets expire by themselves). A batch counting into one
    /// again puts it back. Returns the series removed.
    /// </summary>
    public async Task<IReadOnlyList<(string Prompt, string Environment)>> PruneIdleAsync(DateTimeOffset idleSince, DateTimeOffset now)
    {
        var database = store.Database;
        var batch = database.CreateBatch();
        var membersRead = batch.SetMembersAsync(Keys.BehaviourIndex);
        var seenRead = batch.HashGetAllAsync(Keys.BehaviourSeen);
        batch.Execute();
        var members = await membersRead;
        var seen = (await seenRead).ToDictionary(e => (string)e.Name!, e => e.Value.TryParse(out long at) ? at : 0, StringComparer.Ordinal);

        var cutOff = idleSince.ToUnixTimeMilliseconds();
        var removed = new List<(string, string)>();
        foreach (var member in members)
        {
            var text = (string)member!;
            // Read without a lock: the script looks again, atomically, before it removes anything.
            if (seen.TryGetValue(text, out var at) && at >= cutOff)
            {
                continue;
            }

            var result = await database.ScriptEvaluateAsync(BehaviourScripts.PruneIdle, [Keys.BehaviourIndex, Keys.BehaviourSeen], [text, cutOff, now.ToUnixTimeMilliseconds()]);
            if ((long)result == 1 && Split(text) is { } series)
            {
                removed.Add(series);
            }
        }

        return removed;
    }

    private static (string Prompt, string Environment)? Split(string member)
    {
        var bar = member.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 ? (member[..bar], member[(bar + 1)..]) : null;
    }

    /// <summary>Every prompt and environment with behaviour series.</summary>
    public async Task<IReadOnlyList<(string Prompt, string Environment)>> ListSeriesAsync()
    {
        var members = await store.Database.SetMembersAsync(Keys.BehaviourIndex);
        var pairs = new List<(string, string)>(members.Length);
        foreach (var member in members)
        {
            if (Split((string)member!) is { } series)
            {
                pairs.Add(series);
            }
        }

        return pairs;
    }

    /// <summary>The metrics a prompt has series of in an environment, with their kind.</summary>
    public async Task<IReadOnlyDictionary<string, MetricKind>> MetricsAsync(string prompt, string environment)
    {
        var entries = await store.Database.HashGetAllAsync(Keys.BehaviourMetrics(prompt, environment));
        return entries.ToDictionary(e => (string)e.Name!, e => ParseKind(e.Value), StringComparer.Ordinal);
    }

    /// <summary>
    /// The distinct assignment units of one version's arm over the spans (minute or hour HLLs, from inclusive, to
    /// exclusive), counted as one union in one PFCOUNT: a unit seen in several minutes counts once. All the keys share
    /// the prompt's tag, so this is one slot on a cluster. HyperLogLog's error is about 0.8%.
    /// </summary>
    public async Task<long> CountUnitsAsync(string prompt, string environment, int version, string variant, IEnumerable<(long From, long To, bool Hourly)> spans)
    {
        var keys = new List<RedisKey>();
        foreach (var (from, to, hourly) in spans)
        {
            var step = hourly ? 60 : 1;
            for (var minute = hourly ? from / 60 * 60 : from; minute < to; minute += step)
            {
                keys.Add(hourly
                    ? Keys.BehaviourUnitsHour(prompt, environment, version, variant, minute)
                    : Keys.BehaviourUnitsMinute(prompt, environment, version, variant, minute));
            }
        }

        return keys.Count == 0 ? 0 : await store.Database.HyperLogLogLengthAsync([.. keys]);
    }

    /// <summary>The buckets from <paramref name="fromMinute"/> (inclusive) to <paramref name="toMinute"/> (exclusive), minute or hour hashes, read in one pipelined round trip.</summary>
    /// <param name="pairs">A shadow step's pair buckets instead of the served series'.</param>
    /// <param name="quantiles">The served series' latency histograms (<see cref="StoreKeys.BehaviourQuantilesMinute"/>) instead of their sums.</param>
    public async Task<IReadOnlyList<(long Minute, HashEntry[] Entries)>> ReadAsync(string prompt, string environment, long fromMinute, long toMinute, bool hourly, bool pairs = false, bool quantiles = false)
    {
        var step = hourly ? 60 : 1;
        var first = hourly ? fromMinute / 60 * 60 : fromMinute;
        var batch = store.Database.CreateBatch();
        var reads = new List<(long, Task<HashEntry[]>)>();
        for (var minute = first; minute < toMinute; minute += step)
        {
            var key = (hourly, pairs, quantiles) switch
            {
                (true, false, true) => Keys.BehaviourQuantilesHour(prompt, environment, minute),
                (false, false, true) => Keys.BehaviourQuantilesMinute(prompt, environment, minute),
                (true, false, false) => Keys.BehaviourHour(prompt, environment, minute),
                (false, false, false) => Keys.BehaviourMinute(prompt, environment, minute),
                (true, true, _) => Keys.BehaviourPairsHour(prompt, environment, minute),
                (false, true, _) => Keys.BehaviourPairsMinute(prompt, environment, minute),
            };
            reads.Add((minute, batch.HashGetAllAsync(key)));
        }

        batch.Execute();
        var buckets = new List<(long, HashEntry[])>(reads.Count);
        foreach (var (minute, read) in reads)
        {
            buckets.Add((minute, await read));
        }

        return buckets;
    }
}
