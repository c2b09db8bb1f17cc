using LlmGateway.Sampling.Queue;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace LlmGateway.Tests.Sampling.Queue;

/// <summary>The work queue in the real store (Garnet or Redis, whichever the run uses), on a hand-driven clock.</summary>
public sealed class WorkQueueTests(TestEnvironment env)
{
    private static readonly TimeSpan Visibility = TimeSpan.FromMinutes(5);

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Items_are_claimed_in_order_and_acked_once()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(["a", "b", "c"]);

        var claimed = await queue.ClaimAsync(2);

        Assert.Equal(["a", "b"], claimed.Select(c => c.Id));
        Assert.All(claimed, c => Assert.Equal(1, c.Attempt));
        Assert.All(claimed, c => Assert.Equal(_clock.GetUtcNow() + Visibility, c.VisibleUntil));
        Assert.NotEqual(claimed[0].Receipt, claimed[1].Receipt);
        Assert.Equal(new QueueStats(1, 2, 0), await queue.StatsAsync());

        Assert.True(await queue.AckAsync("a", claimed[0].Receipt));
        Assert.False(await queue.AckAsync("a", claimed[0].Receipt));
        Assert.False(await queue.AckAsync("b", claimed[0].Receipt));
        Assert.False(await queue.AckAsync("b", "not-a-receipt"));
        Assert.True(await queue.AckAsync("b", claimed[1].Receipt));

        Assert.Equal(["c"], (await queue.ClaimAsync(10)).Select(c => c.Id));
        Assert.Empty(await queue.ClaimAsync(10));
    }

    [Fact]
    public async Task An_id_pushed_again_while_in_flight_is_delivered_once_and_again_only_once_it_is_acked()
    {
        // A push whose reply was lost is pushed again: the second copy, claimed in the same claim or a later one, would
        // supersede the first claim's receipt and have the sample judged (and paid for) twice.
        var queue = NewQueue();
        await queue.EnqueueAsync(["a", "b", "a"]);

        var first = await queue.ClaimAsync(10);
        await queue.EnqueueAsync(["a"]);
        var second = await queue.ClaimAsync(10);

        Assert.Equal(["a", "b"], first.Select(c => c.Id));
        Assert.Empty(second);
        Assert.Equal(new QueueStats(0, 2, 0), await queue.StatsAsync());
        var acked = await queue.AckAsync(first);
        Assert.Equal([true, true], acked);

        // Acked, it is done: a later push of it is new work (the evaluator finds it counted and acks it unscored).
        await queue.EnqueueAsync(["a"]);
        Assert.Equal(["a"], (await queue.ClaimAsync(10)).Select(c => c.Id));
    }

    [Fact]
    public async Task A_released_duplicate_still_comes_back()
    {
        // The copy in flight is released (its consumer failed on the store): it is claimable again; the copy dropped
        // while it was in flight took nothing with it.
        var queue = NewQueue();
        await queue.EnqueueAsync(["a"]);
        var claimed = Assert.Single(await queue.ClaimAsync(10));
        await queue.EnqueueAsync(["a"]);
        Assert.Empty(await queue.ClaimAsync(10));

        Assert.True(await queue.ReleaseAsync(claimed.Id, claimed.Receipt));

        var again = Assert.Single(await queue.ClaimAsync(10));
        Assert.Equal(("a", 2), (again.Id, again.Attempt));
    }

    [Fact]
    public async Task A_batch_is_acked_in_one_call_and_a_superseded_receipt_fails_alone()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(["a", "b", "c", "d"]);
        var claimed = await queue.ClaimAsync(4);
        var forged = claimed[2] with { Receipt = "not-a-receipt" };

        var acked = await queue.AckAsync([claimed[0], claimed[1], forged, claimed[3]]);

        Assert.Equal([true, true, false, true], acked);
        Assert.Equal(new QueueStats(0, 1, 0), await queue.StatsAsync());
        var again = await queue.AckAsync([claimed[0], claimed[2]]);
        Assert.Equal([false, true], again);
        Assert.Equal(new QueueStats(0, 0, 0), await queue.StatsAsync());
        Assert.Empty(await queue.AckAsync([]));
    }

    [Fact]
    public async Task A_crashed_consumers_item_is_redelivered_after_the_visibility_timeout()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(["s1"]);
        var first = Assert.Single(await queue.ClaimAsync(1));

        _clock.Advance(Visibility - TimeSpan.FromSeconds(1));
        Assert.Empty(await queue.ClaimAsync(1));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var second = Assert.Single(await queue.ClaimAsync(1));

        Assert.Equal("s1", second.Id);
        Assert.Equal(2, second.Attempt);
        Assert.NotEqual(first.Receipt, second.Receipt);
        // The crashed consumer wakes up: its receipt no longer counts.
        Assert.False(await queue.AckAsync("s1", first.Receipt));
        Assert.False(await queue.ExtendAsync("s1", first.Receipt, Visibility));
        Assert.False(await queue.ReleaseAsync("s1", first.Receipt));
        Assert.True(await queue.AckAsync("s1", second.Receipt));
        Assert.Equal(new QueueStats(0, 0, 0), await queue.StatsAsync());
    }

    [Fact]
    public async Task A_heartbeat_keeps_the_item_hidden()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync(["s1"]);
        var claim = Assert.Single(await queue.ClaimAsync(1));

        _clock.Advance(Visibility - TimeSpan.FromSeconds(1));
        Assert.True(await queue.ExtendAsync("s1", claim.Receipt, Visibility));
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Empty(await queue.ClaimAsync(1));
        Assert.True(await queue.AckAsync("s1", claim.Receipt));
    }

    [Fact]
    public async Task An_item_is_dead_lettered_after_max_attempts_and_can_be_requeued()
    {
        var queue = NewQueue(maxAttempts: 3);
        await queue.EnqueueAsync(["poison", "fine"]);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var claimed = await queue.ClaimAsync(1);
            Assert.Equal(("poison", attempt), (claimed[0].Id, claimed[0].Attempt));
            _clock.Advance(Visibility);
        }

        // The fourth claim sweeps the poison item to dead and hands out the next one instead.
        var next = Assert.Single(await queue.ClaimAsync(10));
        Assert.Equal("fine", next.Id);
        Assert.Equal(new QueueStats(0, 1, 1), await queue.StatsAsync());
        Assert.Equal(["poison"], await queue.DeadLettersAsync(10));

        Assert.Equal(1, await queue.RequeueDeadAsync(10));
        Assert.Empty(await queue.DeadLettersAsync(10));
        var again = Assert.Single(await queue.ClaimAsync(10));
        Assert.Equal(("poison", 1), (again.Id, again.Attempt));
    }

    [Fact]
    public async Task A_released_item_is_claimable_at_once_and_its_attempt_counts()
    {
        var queue = NewQueue(maxAttempts: 2);
        await queue.EnqueueAsync(["s1", "s2"]);
        var first = (await queue.ClaimAsync(1))[0];

        Assert.True(await queue.ReleaseAsync("s1", first.Receipt));
        Assert.False(await queue.ReleaseAsync("s1", first.Receipt));

        // Back at the head, ahead of s2, without the clock moving.
        var second = (await queue.ClaimAsync(1))[0];
        Assert.Equal(("s1", 2), (second.Id, second.Attempt));

        // Released on its last attempt: dead, not ready.
        Assert.True(await queue.ReleaseAsync("s1", second.Receipt));
        Assert.Equal(new QueueStats(1, 0, 1), await queue.StatsAsync());
        Assert.Equal(["s1"], await queue.DeadLettersAsync(10));
    }

    [Fact]
    public async Task Stats_and_dead_letters_list_oldest_first_and_respect_the_limit()
    {
        var queue = NewQueue(maxAttempts: 1);
        await queue.EnqueueAsync(["d1", "d2", "d3", "r1", "r2"]);

        Assert.Equal(3, (await queue.ClaimAsync(3)).Count);
        _clock.Advance(Visibility);
        var held = Assert.Single(await queue.ClaimAsync(1));

        Assert.Equal("r1", held.Id);
        Assert.Equal(new QueueStats(1, 1, 3), await queue.StatsAsync());
        Assert.Equal(["d1", "d2", "d3"], await queue.DeadLettersAsync(10));
        Assert.Equal(["d1", "d2"], await queue.DeadLettersAsync(2));

        Assert.Equal(2, await queue.RequeueDeadAsync(2));
        Assert.Equal(["d3"], await queue.DeadLettersAsync(10));
        Assert.Equal(new QueueStats(3, 1, 1), await queue.StatsAsync());
        // Requeued dead letters join the tail, behind work that was already waiting.
        Assert.Equal(["r2", "d1", "d2"], (await queue.ClaimAsync(10)).Select(c => c.Id));
    }

    [Fact]
    public async Task A_capped_dead_list_keeps_its_newest_letters_whether_a_claim_or_a_release_fills_it()
    {
        var queue = NewQueue(maxAttempts: 1, maxDead: 2);
        await queue.EnqueueAsync(["d1", "d2", "d3", "r1", "r2"]);

        // Three expire on their only attempt; the claim that sweeps them keeps the two newest.
        Assert.Equal(3, (await queue.ClaimAsync(3)).Count);
        _clock.Advance(Visibility);
        var held = Assert.Single(await queue.ClaimAsync(1));
        Assert.Equal(["d2", "d3"], await queue.DeadLettersAsync(10));

        // A release on the last attempt pushes out the oldest too.
        Assert.True(await queue.ReleaseAsync(held.Id, held.Receipt));
        Assert.Equal(["d3", "r1"], await queue.DeadLettersAsync(10));
        Assert.Equal(new QueueStats(1, 0, 2), await queue.StatsAsync());
        Assert.Equal("r2", Assert.Single(await queue.ClaimAsync(10)).Id);
    }

    [Fact]
    public async Task A_dead_list_grown_past_its_cap_shrinks_by_at_most_a_thousand_a_call()
    {
        // A list that grew before the cap existed (or past a lowered one) is never trimmed in one step: that would stall
        // the store for every caller.
        var name = "test-" + Guid.NewGuid().ToString("N");
        var keys = new WorkQueueKeys(env.KeyPrefix, name);
        var database = env.Gateway.GetRequiredService<GatewayStore>().Database;
        await database.ListLeftPushAsync(keys.Dead, Enumerable.Range(0, 1500).Select(i => (RedisValue)("old-" + i)).ToArray());
        var queue = new WorkQueue(database, env.KeyPrefix, name, new WorkQueueOptions { MaxAttempts = 1, Visibility = Visibility, MaxDead = 2 }, _clock);
        await queue.EnqueueAsync(["x", "y"]);

        var x = Assert.Single(await queue.ClaimAsync(1));
        Assert.True(await queue.ReleaseAsync(x.Id, x.Receipt));
        Assert.Equal(501, await database.ListLengthAsync(keys.Dead));

        var y = Assert.Single(await queue.ClaimAsync(1));
        Assert.True(await queue.ReleaseAsync(y.Id, y.Receipt));
        Assert.Equal(["x", "y"], await queue.DeadLettersAsync(10));
    }

    [Fact]
    public async Task One_claim_moves_a_bounded_number_of_expired_items()
    {
        var queue = NewQueue(maxExpiredPerClaim: 2);
        await queue.EnqueueAsync(["a", "b", "c"]);
        Assert.Equal(3, (await queue.ClaimAsync(3)).Count);
        _clock.Advance(Visibility);

        // The two longest-expired come back first; the third waits for the next claim.
        Assert.Equal(["a", "b"], (await queue.ClaimAsync(10)).Select(c => c.Id));
        Assert.Equal(["c"], (await queue.ClaimAsync(10)).Select(c => c.Id));
    }

    [Fact]
    public void A_name_that_would_break_the_hash_tag_is_refused()
    {
        var database = env.Gateway.GetRequiredService<GatewayStore>().Database;
        Assert.Throws<ArgumentException>(() => new WorkQueue(database, env.KeyPrefix, "a}b", new WorkQueueOptions(), _clock));
        Assert.Throws<ArgumentException>(() => new WorkQueue(database, "x{y", "q", new WorkQueueOptions(), _clock));
    }

    [Fact]
    public async Task A_capped_queue_gives_up_its_oldest_waiting_items_and_says_how_many()
    {
        // A queue nobody drains (the evaluators down) stays at its cap instead of growing by every item.
        var queue = NewQueue(maxReady: 3);

        Assert.Equal(0, await queue.EnqueueAsync(["a", "b"]));
        Assert.Equal(2, await queue.EnqueueAsync(["c", "d", "e"]));

        Assert.Equal(new QueueStats(3, 0, 0), await queue.StatsAsync());
        Assert.Equal(["c", "d", "e"], (await queue.ClaimAsync(10)).Select(c => c.Id));
    }

    [Fact]
    public async Task An_item_the_cap_gives_up_takes_its_attempt_count_with_it()
    {
        var (queue, keys) = NewQueueWithKeys(maxReady: 2);
        await queue.EnqueueAsync(["a"]);
        var claimed = Assert.Single(await queue.ClaimAsync(1));
        Assert.True(await queue.ReleaseAsync("a", claimed.Receipt));

        // "a" is back at the claiming end, the oldest waiting: the next overflow gives it up.
        Assert.Equal(1, await queue.EnqueueAsync(["b", "c"]));

        var database = env.Gateway.GetRequiredService<GatewayStore>().Database;
        Assert.False(await database.HashExistsAsync(keys.Attempts, "a"));
        Assert.Equal(["b", "c"], (await queue.ClaimAsync(10)).Select(c => c.Id));
    }

    [Fact]
    public async Task A_push_larger_than_the_per_call_trim_bound_still_leaves_the_queue_at_its_cap()
    {
        // A claim in flight keeps an attempt count, so the trim takes its slow path, bounded per call: a batch of 2,000
        // ids grew the list by 1,000 past its cap at every push.
        var queue = NewQueue(maxReady: 5);
        await queue.EnqueueAsync(["in-flight"]);
        Assert.Single(await queue.ClaimAsync(1));

        var ids = Enumerable.Range(0, 2_000).Select(i => "id-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(1_995, await queue.EnqueueAsync(ids));

        Assert.Equal(new QueueStats(5, 1, 0), await queue.StatsAsync());
    }

    private (WorkQueue Queue, WorkQueueKeys Keys) NewQueueWithKeys(long? maxReady)
    {
        var name = "test-" + Guid.NewGuid().ToString("N");
        var queue = new WorkQueue(
            env.Gateway.GetRequiredService<GatewayStore>().Database,
            env.KeyPrefix,
            name,
            new WorkQueueOptions { Visibility = Visibility, MaxReady = maxReady },
            _clock);
        return (queue, new WorkQueueKeys(env.KeyPrefix, name));
    }

    private WorkQueue NewQueue(int maxAttempts = 5, int maxExpiredPerClaim = 100, long? maxReady = null, long? maxDead = null) => new(
        env.Gateway.GetRequiredService<GatewayStore>().Database,
        env.KeyPrefix,
        "test-" + Guid.NewGuid().ToString("N"),
        new WorkQueueOptions { MaxAttempts = maxAttempts, Visibility = Visibility, MaxExpiredPerClaim = maxExpiredPerClaim, MaxReady = maxReady, MaxDead = maxDead },
        _clock);
}
