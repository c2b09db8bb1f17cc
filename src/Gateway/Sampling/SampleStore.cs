using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LlmGateway.Sampling.Queue;
using LlmGateway.Serialization;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Sampling;

/// <summary>
/// Samples in the store: a record and a summary key per sample (both expire with the retention),
/// sorted-set indexes by prompt, version, arm and model (score = unix ms), a count cap per prompt, environment and
/// kind (forced or drawn), and the evaluator work queue that every stored sample's id joins.
/// </summary>
internal sealed class SampleStore(GatewayStore store, IOptions<SamplingOptions> options, TimeProvider time, ILogger<SampleStore>? logger = null)
{
    public const string QueueName = "samples";

    private const int ScanChunk = 200;
    private const int MaxScannedPerPage = 20_000;
    private const int ExportReadChunk = 20;

    /// <summary>The environment of a sample that has none in its cap's key (the behaviour series name it so too).</summary>
    private const string NoEnvironment = "default";

    /// <summary>The most ids one export reads from its index (README "Reading and exporting samples").</summary>
    public const int DefaultMaxScannedPerExport = 200_000;

    /// <summary>
    /// Takes the ids beyond the cap out of the cap's index and returns them, in one step: two instances' writers
    /// trimming at once would otherwise both count the same excess, and the second would remove samples within the cap.
    /// </summary>
    private const string TrimScript = """
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
        if excess <= 0 then
            return {}
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
        return oldest
        """;

    private readonly SamplingOptions _options = options.Value;
    private WorkQueue? _queue;

    private StoreKeys Keys => store.Keys;

    /// <summary>The evaluators' queue of sample ids to score or review.</summary>
    public WorkQueue Queue => _queue ??= new WorkQueue(
        store.Database,
        Keys.Prefix,
        QueueName,
        new WorkQueueOptions { MaxAttempts = _options.QueueMaxAttempts, Visibility = _options.QueueVisibility, MaxReady = _options.QueueMaxReady, MaxDead = _options.QueueMaxDead },
        time,
        logger);

    /// <summary>
    /// Writes a batch in one round trip, then trims by age and count. Every index stays bounded: by age (the retention;
    /// an index nothing was written to for a retention expires), each cap index (a prompt's environment and kind, or a
    /// plain model's) by <see cref="SamplingOptions.MaxPerPrompt"/>, and the samples a cap deletes leave every index
    /// they are listed in, so the others (the prompt's, a version's, an arm's, a model's) hold only what the caps keep.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<SerializedSample> samples)
    {
        var database = store.Database;
        var ttl = _options.Retention;
        var batch = database.CreateBatch();
        var writes = new List<Task>(samples.Count * 8);
        var touched = new HashSet<string>(StringComparer.Ordinal) { Keys.SampleIndex };

        // Each count-capped index, with the other indexes this batch wrote its samples to.
        var capped = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        // A cap keeps the most recently stored samples, not the most recent requests: a sample is written when its answer
        // ends, so scored by its request's start a long answer arrived already among the oldest and was trimmed before
        // the evaluator read it, and an arm's readings leaned to its short answers.
        var stored = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (record, json) in samples)
        {
            var score = record.Timestamp.ToUnixTimeMilliseconds();
            writes.Add(batch.StringSetAsync(Keys.Sample(record.Id), json, ttl));
            var summary = SampleSummary.From(record);
            writes.Add(batch.StringSetAsync(Keys.SampleSummary(record.Id), JsonSerializer.SerializeToUtf8Bytes(summary, GatewayJsonContext.Default.SampleSummary), ttl));
            var cap = CapIndexOf(summary);
            if (!capped.TryGetValue(cap, out var alongside))
            {
                capped[cap] = alongside = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (var index in IndexesOf(summary))
            {
                writes.Add(batch.SortedSetAddAsync(index, record.Id, index == cap ? Math.Max(score, stored) : score));
                touched.Add(index);
                if (index != cap)
                {
                    alongside.Add(index);
                }
            }
        }

        var oldest = (time.GetUtcNow() - ttl).ToUnixTimeMilliseconds();
        foreach (var index in touched)
        {
            writes.Add(batch.SortedSetRemoveRangeByScoreAsync(index, double.NegativeInfinity, oldest, Exclude.Stop));
            // An index no batch has written to for a whole retention lists only expired samples: it goes with them.
            writes.Add(batch.KeyExpireAsync(index, ttl));
        }

        batch.Execute();
        await Task.WhenAll(writes);

        // The batch is stored: a trim that fails now must not make the writer count it lost and never queue it for the
        // evaluators. The excess stays until the next batch of that cap trims (the script takes all of it), or its age.
        foreach (var (index, alongside) in capped)
        {
            try
            {
                if (BeforeTrim is { } hook)
                {
                    await hook(index);
                }

                await TrimAsync(database, index, alongside);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (logger is not null)
                {
                    SamplingLog.TrimFailed(logger, ex.GetType().Name);
                }
            }
        }
    }

    /// <summary>The most ids one export reads from its index; lower in tests.</summary>
    internal int MaxScannedPerExport { get; init; } = DefaultMaxScannedPerExport;

    /// <summary>Test seam: runs after each full chunk a listing reads, before the next.</summary>
    internal Func<Task>? AfterChunk { get; set; }

    /// <summary>Test seam: runs before each batch read of records (<see cref="GetAsync(IReadOnlyList{string})"/>); a throw here is the store failing it.</summary>
    internal Func<Task>? BeforeRead { get; set; }

    /// <summary>Test seam: runs before each count trim of <see cref="WriteAsync"/> (given the capped index).</summary>
    internal Func<string, Task>? BeforeTrim { get; set; }

    /// <summary>
    /// Queues stored samples for the evaluators. Apart from <see cref="WriteAsync"/>: the queue is another key (another
    /// slot on a cluster), so a stored batch whose queueing failed is queued again later, not written again.
    /// </summary>
    /// <returns>How many of the oldest waiting ids the queue's cap gave up (<see cref="SamplingOptions.QueueMaxReady"/>).</returns>
    public Task<long> EnqueueAsync(IReadOnlyList<string> ids) => _options.Enqueue ? Queue.EnqueueAsync(ids) : Task.FromResult(0L);

    /// <summary>
    /// When the oldest sample still waiting to be scored was requested (<see cref="WorkQueue.OldestPendingAsync"/>): the
    /// behaviour series are whole only before its minute. Null when none waits. Read whatever this process's
    /// <see cref="SamplingOptions.Enqueue"/> (an evaluator that pushes nothing still reads what the gateways pushed).
    /// </summary>
    public async Task<DateTimeOffset?> OldestUnscoredAsync() =>
        await Queue.OldestPendingAsync() is { } id && SampleIds.TryGetTime(id, out var at) ? at : null;

    public async Task<SampleRecord?> GetAsync(string id) => Parse(await store.Database.StringGetAsync(Keys.Sample(id)));

    /// <summary>The records of <paramref name="ids"/>, in order, in one round trip (the keys share a hash tag).</summary>
    public async Task<SampleRead[]> GetAsync(IReadOnlyList<string> ids)
    {
        if (BeforeRead is { } hook)
        {
            await hook();
        }

        var keys = new RedisKey[ids.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Keys.Sample(ids[i]);
        }

        var values = keys.Length == 0 ? [] : await store.Database.StringGetAsync(keys);
        var reads = new SampleRead[values.Length];
        for (var i = 0; i < reads.Length; i++)
        {
            try
            {
                reads[i] = new SampleRead(Parse(values[i]), null);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                reads[i] = new SampleRead(null, ex);
            }
        }

        return reads;
    }

    // Read from the stored UTF-8 bytes, not through a string of them.
    private static SampleRecord? Parse(RedisValue json) =>
        json.IsNullOrEmpty ? null : JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)json).Span, GatewayJsonContext.Default.SampleRecord);

    /// <summary>
    /// Newest first, from the narrowest index the filter allows, the rest filtered on summaries.
    /// The cursor is the last id returned: ids sort by time, so the next page starts just below it.
    /// </summary>
    public async Task<SamplePage> ListAsync(SampleFilter filter, int limit, string? cursor, CancellationToken cancellationToken = default) =>
        (await ScanAsync(filter, limit, cursor, MaxScannedPerPage, cancellationToken)).Page;

    /// <summary>
    /// One page, reading at most <paramref name="maxScanned"/> ids. Each chunk goes on below the last id read, by its
    /// time and then by id (the cursor's own rule), never by a rank: samples written or trimmed meanwhile shift ranks,
    /// and a chunk taken by offset repeated or skipped ids within one page (an export's duplicate id fails the whole
    /// dataset).
    /// </summary>
    private async Task<(SamplePage Page, int Scanned)> ScanAsync(SampleFilter filter, int limit, string? cursor, int maxScanned, CancellationToken cancellationToken)
    {
        var database = store.Database;
        var index = IndexFor(filter);
        var top = filter.To?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        var min = filter.From?.ToUnixTimeMilliseconds() ?? 0;
        var found = new List<SampleSummary>(Math.Min(limit, ScanChunk));
        var scanned = 0;
        var below = cursor;
        // Ids of the bound's own millisecond already read (they sort first at that score): skipped by the next chunk.
        var sameMillisecond = 0;
        while (scanned < maxScanned)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var max = below is not null && CursorTime(below) is { } belowTime ? Math.Min(top, belowTime) : top;
            var ids = await database.SortedSetRangeByScoreAsync(index, min, max, Exclude.None, Order.Descending, sameMillisecond, ScanChunk);
            if (ids.Length == 0)
            {
                return (new SamplePage(found, null), scanned);
            }

            scanned += ids.Length;
            var summaries = await database.StringGetAsync(ids.Select(id => (RedisKey)Keys.SampleSummary(id!)).ToArray());
            var stale = new List<RedisValue>();
            for (var i = 0; i < ids.Length; i++)
            {
                var id = (string)ids[i]!;
                if (below is not null && string.CompareOrdinal(id, below) >= 0)
                {
                    // At the bound's millisecond, above the bound: read by an earlier chunk or page.
                    continue;
                }

                below = id;
                if (summaries[i].IsNullOrEmpty)
                {
                    // Trimmed by count from another index, or expired: drop the dangling id here too.
                    stale.Add(ids[i]);
                    continue;
                }

                var summary = JsonSerializer.Deserialize((string)summaries[i]!, GatewayJsonContext.Default.SampleSummary)!;
                if (filter.Matches(summary))
                {
                    found.Add(summary);
                    if (found.Count == limit)
                    {
                        await RemoveStaleAsync(database, index, stale);
                        return (new SamplePage(found, id), scanned);
                    }
                }
            }

            await RemoveStaleAsync(database, index, stale);
            if (ids.Length < ScanChunk)
            {
                return (new SamplePage(found, null), scanned);
            }

            if (AfterChunk is { } hook)
            {
                await hook();
            }

            // The next chunk starts at the last id's millisecond, where the ids already met (and not removed) come
            // first: skipped by rank, and one written at that millisecond meanwhile by id. While the bound stays in one
            // millisecond (a chunk all of it, or one that read nothing new), the ranks skipped add up.
            var lastTime = below is null ? (long?)null : CursorTime(below);
            var atLast = ids.Count(id => CursorTime((string)id!) == lastTime) - stale.Count(id => CursorTime((string)id!) == lastTime);
            sameMillisecond = lastTime == max ? sameMillisecond + atLast : atLast;
        }

        // Scanned enough for one call: hand back a cursor so the caller can go on.
        return (new SamplePage(found, below), scanned);
    }

    /// <summary>
    /// Every matching record whose input can be replayed, newest first, up to <paramref name="limit"/>, fetched a page at a time; reading at most
    /// <see cref="MaxScannedPerExport"/> ids of the index, so a filter that matches little cannot walk all of it.
    /// </summary>
    /// <param name="scan">Told how many matches were left out as not replayable, and whether the export stopped at the scan limit with more of the index unread.</param>
    public async IAsyncEnumerable<SampleRecord> ExportAsync(SampleFilter filter, int limit, SampleExportScan scan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        var exported = 0;
        var budget = MaxScannedPerExport;
        do
        {
            var (page, scanned) = await ScanAsync(filter, Math.Min(ScanChunk, limit - exported), cursor, Math.Min(budget, MaxScannedPerPage), cancellationToken);
            budget -= scanned;
            // The records a few at a time, one round trip each (not one per record), a few held at once.
            foreach (var chunk in page.Samples.Chunk(ExportReadChunk))
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var read in await GetAsync([.. chunk.Select(summary => summary.Id)]))
                {
                    if (read.Error is { } error)
                    {
                        // As a read of that record alone would: an unreadable record ends the export.
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                    }

                    // Trimmed or expired since it was listed; or one the evaluation pipeline could not replay (one such
                    // line would make it refuse the whole file): left out, counted.
                    if (read.Record is not { } record)
                    {
                        continue;
                    }

                    if (!GoldenExample.IsReplayable(record.Input))
                    {
                        scan.NotReplayable++;
                        continue;
                    }

                    if (!GoldenExample.HasWholeAnswer(record))
                    {
                        scan.NotWhole++;
                        continue;
                    }

                    exported++;
                    yield return record;
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null && exported < limit && budget > 0);
        scan.LimitReached = cursor is not null && exported < limit;
    }

    /// <summary>Every index a sample is listed in, its cap's included.</summary>
    private IEnumerable<string> IndexesOf(SampleSummary sample)
    {
        yield return Keys.SampleIndex;
        yield return Keys.SampleModelIndex(sample.Model);
        if (sample.Prompt is { } prompt)
        {
            yield return Keys.SamplePromptIndex(prompt);
            yield return CapIndexOf(sample);
            if (sample.Version is { } version)
            {
                yield return Keys.SampleVersionIndex(prompt, version);
                if (sample.Variant is { } variant)
                {
                    yield return Keys.SampleArmIndex(prompt, version, variant);
                }
            }
        }
        else
        {
            yield return Keys.SamplePlainIndex(sample.Model);
        }
    }

    /// <summary>
    /// The index whose count cap decides which of the sample's kind are kept: a prompt's, per environment, with forced
    /// samples apart (a debug key's or another environment's traffic must not push out the samples an arm's online
    /// evaluation and rollout read); a plain model's.
    /// </summary>
    private string CapIndexOf(SampleSummary sample) =>
        sample.Prompt is { } prompt
            ? Keys.SampleCapIndex(prompt, sample.Environment ?? NoEnvironment, sample.Reason == SampleReasons.Forced)
            : Keys.SamplePlainIndex(sample.Model);

    private string IndexFor(SampleFilter filter) => filter switch
    {
        { Prompt: { } p, Version: { } v, Variant: { } a } => Keys.SampleArmIndex(p, v, a),
        { Prompt: { } p, Version: { } v } => Keys.SampleVersionIndex(p, v),
        { Prompt: { } p } => Keys.SamplePromptIndex(p),
        { Model: { } m } => Keys.SampleModelIndex(m),
        _ => Keys.SampleIndex,
    };

    /// <summary>
    /// Deletes the oldest samples beyond the cap of <paramref name="index"/>, and their ids from every index they are
    /// listed in: those their summaries name (an older version's or model's, which this batch may not have written) and
    /// <paramref name="alongside"/>, the other indexes the batch wrote the cap's samples to. The prompt's index holds
    /// several caps' samples, so a count of its own could no longer tell which are deleted. An id left behind (its clean-up
    /// failed) is dropped when a listing meets it, or by age.
    /// </summary>
    private async Task TrimAsync(IDatabase database, string index, HashSet<string> alongside)
    {
        var oldest = (RedisValue[])(await database.ScriptEvaluateAsync(TrimScript, [index], [_options.MaxPerPrompt]))!;
        if (oldest.Length == 0)
        {
            return;
        }

        var summaryKeys = oldest.Select(id => (RedisKey)Keys.SampleSummary(id!)).ToArray();
        var listedIn = new HashSet<string>(alongside, StringComparer.Ordinal);
        foreach (var summary in await database.StringGetAsync(summaryKeys))
        {
            // Missing: expired, and its ids go by age. Unreadable: left to the listings that meet it.
            if (!summary.IsNullOrEmpty && TryParseSummary(summary) is { } sample)
            {
                listedIn.UnionWith(IndexesOf(sample));
            }
        }

        listedIn.Remove(index);
        var keys = oldest.Select(id => (RedisKey)Keys.Sample(id!)).Concat(summaryKeys).ToArray();
        var batch = database.CreateBatch();
        var removals = new List<Task>(listedIn.Count + 1) { batch.KeyDeleteAsync(keys) };
        foreach (var other in listedIn)
        {
            removals.Add(batch.SortedSetRemoveAsync(other, oldest));
        }

        batch.Execute();
        await Task.WhenAll(removals);
    }

    private static SampleSummary? TryParseSummary(RedisValue json)
    {
        try
        {
            return JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)json).Span, GatewayJsonContext.Default.SampleSummary);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task RemoveStaleAsync(IDatabase database, string index, List<RedisValue> stale)
    {
        if (stale.Count > 0)
        {
            await database.SortedSetRemoveAsync(index, stale.ToArray());
        }
    }

    private static long? CursorTime(string cursor) =>
        SampleIds.IsWellFormed(cursor) && long.TryParse(cursor.AsSpan(SampleIds.Prefix.Length, 12), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var ms)
            ? ms
            : null;
}
