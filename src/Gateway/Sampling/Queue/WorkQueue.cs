using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmGateway.Sampling.Queue;

/// <summary>
/// An at-least-once work queue of ids (the payload lives elsewhere) for evaluators, built from
/// lists, a sorted set and hashes because Garnet has no Streams. A claim hides an item for a
/// visibility window; an item not acked in time is redelivered with its attempt count raised,
/// and after <see cref="WorkQueueOptions.MaxAttempts"/> claims it is dead-lettered instead.
/// </summary>
/// <remarks>
/// Every state change is one Lua script, so an item is always in exactly one of ready,
/// in flight or dead, and held by at most one claim. A second copy of an id is dropped when it is
/// claimed while the first is in flight (that one is acked or released as usual); claimed after
/// the first was acked, it is delivered again.
/// </remarks>
internal sealed class WorkQueue
{
    /// <summary>Bounds one claim script's work the way <see cref="WorkQueueOptions.MaxExpiredPerClaim"/> does.</summary>
    public const int MaxClaimBatch = 1000;

    private readonly IDatabase _database;
    private readonly WorkQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WorkQueueKeys _keys;

    // Built once: every call of a kind passes the same keys.
    private readonly RedisKey[] _claimKeys;
    private readonly RedisKey[] _ackKeys;
    private readonly RedisKey[] _releaseKeys;
    private readonly RedisKey[] _extendKeys;
    private readonly RedisKey[] _requeueKeys;

    public WorkQueue(IDatabase database, string keyPrefix, string name, WorkQueueOptions options, TimeProvider time, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxExpiredPerClaim, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Visibility, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxReady ?? 1, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDead ?? 1, 1, nameof(options));

        _database = database;
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _keys = new WorkQueueKeys(keyPrefix, name);
        Name = name;

        var k = _keys;
        _claimKeys = [k.Ready, k.InFlight, k.Attempts, k.Receipts, k.Dead];
        _ackKeys = [k.InFlight, k.Attempts, k.Receipts];
        _releaseKeys = [k.InFlight, k.Attempts, k.Receipts, k.Ready, k.Dead];
        _extendKeys = [k.InFlight, k.Receipts];
        _requeueKeys = [k.Dead, k.Ready, k.Attempts];
    }

    public string Name { get; }

    /// <summary>How long a claim hides an item unless acked or extended.</summary>
    public TimeSpan Visibility => _options.Visibility;

    /// <summary>Waiting items given up with their attempt counts per enqueue, at most (the rest go with the next ones).</summary>
    private const int MaxTrimmedPerCall = 1000;

    /// <summary>
    /// Adds ids at the tail, in order: the first id given is claimed first. Returns how many of the oldest waiting items
    /// the cap (<see cref="WorkQueueOptions.MaxReady"/>) gave up to make room.
    /// </summary>
    public async Task<long> EnqueueAsync(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return 0;
        }

        var values = new RedisValue[ids.Count];
        for (var i = 0; i < values.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(ids[i], nameof(ids));
            values[i] = ids[i];
        }

        // LPUSH of [a, b] leaves b nearer the head, so RPOP still hands out a first.
        if (_options.MaxReady is not { } cap)
        {
            await _database.ListLeftPushAsync(_keys.Ready, values);
            return 0;
        }

        // The push and the trim in one round trip; the trim (one script) gives up the oldest waiting items, the next to
        // be claimed, and their attempt counts, and counts only what it removed.
        var batch = _database.CreateBatch();
        var pushed = batch.ListLeftPushAsync(_keys.Ready, values);
        // At least as many as were pushed: with attempt counts kept (claims in flight), a batch larger than the per-call
        // bound grew the list past its cap by the difference at every push.
        var trimmed = batch.ScriptEvaluateAsync(WorkQueueScripts.Trim, [_keys.Ready, _keys.Attempts], [cap, Math.Max(MaxTrimmedPerCall, values.Length)]);
        batch.Execute();
        await Task.WhenAll(pushed, trimmed);
        return (long)await trimmed;
    }

    /// <summary>
    /// The smallest id among the items still to be processed that a claim takes first: the oldest waiting (the list's
    /// claiming end) and every one in flight, read in one step (a release moving an item back between two reads would
    /// hide it). Null when none. For ids that sort by time (sample ids), a watermark of the consumers' progress: an item
    /// enqueued later than the oldest waiting one but older in its id (a long request that ended late) is not seen,
    /// which the readers' settle time covers. The items in flight are those of the claims outstanding.
    /// </summary>
    public async Task<string?> OldestPendingAsync()
    {
        var result = await _database.ScriptEvaluateAsync(WorkQueueScripts.OldestPending, [_keys.Ready, _keys.InFlight]);
        return result.IsNull ? null : (string?)result;
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> items. First moves up to
    /// <see cref="WorkQueueOptions.MaxExpiredPerClaim"/> lapsed claims back to ready (or to dead),
    /// so redelivery needs no background sweeper: any consumer's claim does it.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedItem>> ClaimAsync(int max, TimeSpan? visibility = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxClaimBatch);
        var window = visibility ?? _options.Visibility;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero, nameof(visibility));

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var deadline = now + (long)window.TotalMilliseconds;
        // One random prefix per call, suffixed with the item's position: unique receipts
        // without shipping one random value per item or trusting Lua's seeded math.random.
        var receiptPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) + ".";

        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(
            WorkQueueScripts.Claim,
            _claimKeys,
            [now, deadline, max, _options.MaxAttempts, _options.MaxExpiredPerClaim, receiptPrefix, _options.MaxDead ?? -1]))!;

        var deadLettered = (int)result[0];
        if (deadLettered > 0)
        {
            WorkQueueLog.DeadLettered(_logger, Name, deadLettered, _options.MaxAttempts);
        }

        if ((long)result[1] is var dropped and > 0)
        {
            WorkQueueLog.DeadLettersDropped(_logger, Name, dropped, _options.MaxDead ?? 0);
        }

        var visibleUntil = DateTimeOffset.FromUnixTimeMilliseconds(deadline);
        var claimed = new ClaimedItem[(result.Length - 2) / 3];
        for (var i = 0; i < claimed.Length; i++)
        {
            var at = 2 + (i * 3);
            claimed[i] = new ClaimedItem((string)result[at]!, (string)result[at + 1]!, (int)result[at + 2], visibleUntil);
        }

        return claimed;
    }

    /// <summary>Marks the item done. False if <paramref name="receipt"/> is not the current claim's.</summary>
    /// <remarks>
    /// A claim past its deadline may still ack until another claim takes the item back: nobody
    /// else holds it, and accepting the finished work saves a redelivery.
    /// </remarks>
    public async Task<bool> AckAsync(string id, string receipt)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(receipt);
        return (await AckCoreAsync([id, receipt]))[0];
    }

    /// <summary>
    /// Acks a batch in one script call (one round trip and one script run instead of one per item); each item
    /// as <see cref="AckAsync"/> would. Returns one flag per item, in order: false where its receipt is not current.
    /// </summary>
    public async Task<bool[]> AckAsync(IReadOnlyList<ClaimedItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[items.Count * 2];
        for (var i = 0; i < items.Count; i++)
        {
            args[2 * i] = items[i].Id;
            args[(2 * i) + 1] = items[i].Receipt;
        }

        return await AckCoreAsync(args);
    }

    private async Task<bool[]> AckCoreAsync(RedisValue[] idsAndReceipts)
    {
        var result = (RedisResult[])(await _database.ScriptEvaluateAsync(WorkQueueScripts.Ack, _ackKeys, idsAndReceipts))!;
        var acked = new bool[result.Length];
        for (var i = 0; i < acked.Length; i++)
        {
            acked[i] = (int)result[i] == 1;
        }

        return acked;
    }

    /// <summary>
    /// A store timeout or a lost connection: the store's failure, never an item's (a script's error may be), so a claim it
    /// ended is given back with its attempt refunded (<see cref="ReleaseAllAsync"/>).
    /// </summary>
    public static bool IsStoreFailure(Exception exception) =>
        exception is RedisTimeoutException or RedisConnectionException or TimeoutException;

    /// <summary>Gives every claimed item back at once (<see cref="ReleaseAsync"/>): a consumer's round that failed or stopped.</summary>
    public Task ReleaseAllAsync(IReadOnlyList<ClaimedItem> claimed, bool refundAttempts) =>
        Task.WhenAll(claimed.Select(item => ReleaseAsync(item.Id, item.Receipt, refundAttempts)));

    /// <summary>
    /// Gives the item back at once, at the head of the queue. The claim already counted as an
    /// attempt, so an item on its last attempt is dead-lettered instead, unless <paramref name="refundAttempt"/>: the
    /// consumer failed, not the item (a store brownout), and the claim's attempt is given back. False if
    /// <paramref name="receipt"/> is not the current claim's.
    /// </summary>
    public async Task<bool> ReleaseAsync(string id, string receipt, bool refundAttempt = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(receipt);
        var outcome = (int)await _database.ScriptEvaluateAsync(
            WorkQueueScripts.Release, _releaseKeys, [id, receipt, _options.MaxAttempts, _options.MaxDead ?? -1, refundAttempt ? 1 : 0]);
        if (outcome >= 2)
        {
            WorkQueueLog.DeadLettered(_logger, Name, 1, _options.MaxAttempts);
        }

        if (outcome > 2)
        {
            WorkQueueLog.DeadLettersDropped(_logger, Name, outcome - 2, _options.MaxDead ?? 0);
        }

        return outcome != 0;
    }

    /// <summary>
    /// Heartbeat: moves the claim's deadline to now + <paramref name="visibility"/>. False if
    /// <paramref name="receipt"/> is not the current claim's (the item was taken back).
    /// </summary>
    public async Task<bool> ExtendAsync(string id, string receipt, TimeSpan visibility)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(receipt);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(visibility, TimeSpan.Zero);
        var deadline = _time.GetUtcNow().ToUnixTimeMilliseconds() + (long)visibility.TotalMilliseconds;
        return (int)await _database.ScriptEvaluateAsync(WorkQueueScripts.Extend, _extendKeys, [id, receipt, deadline]) == 1;
    }

    /// <summary>Counts, read in one pipelined round trip (not one atomic snapshot).</summary>
    public async Task<QueueStats> StatsAsync()
    {
        var ready = _database.ListLengthAsync(_keys.Ready);
        var inFlight = _database.SortedSetLengthAsync(_keys.InFlight);
        var dead = _database.ListLengthAsync(_keys.Dead);
        return new QueueStats(await ready, await inFlight, await dead);
    }

    /// <summary>Up to <paramref name="max"/> dead-lettered ids, oldest first (the order <see cref="RequeueDeadAsync"/> takes them).</summary>
    public async Task<IReadOnlyList<string>> DeadLettersAsync(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var values = await _database.ListRangeAsync(_keys.Dead, -max, -1);
        var ids = new string[values.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = values[values.Length - 1 - i]!;
        }

        return ids;
    }

    /// <summary>Operator action: moves up to <paramref name="max"/> dead letters, oldest first, to the tail of ready with their attempts reset.</summary>
    public async Task<long> RequeueDeadAsync(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var moved = (long)await _database.ScriptEvaluateAsync(WorkQueueScripts.RequeueDead, _requeueKeys, [max]);
        if (moved > 0)
        {
            WorkQueueLog.RequeuedDead(_logger, Name, moved);
        }

        return moved;
    }
}
