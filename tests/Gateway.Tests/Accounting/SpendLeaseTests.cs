using LlmGateway.Budgets;

namespace LlmGateway.Tests.Accounting;

/// <summary>The in-memory slice of a key's day: what it lets a request take, what a refill takes from it, and what a settlement owes the store.</summary>
public sealed class SpendLeaseTests
{
    private static readonly DateOnly Today = new(2026, 12, 5);

    [Fact]
    public void An_empty_lease_takes_nothing_and_asks_for_the_whole_cost()
    {
        var lease = new SpendLease(sliceNanoUsd: 1_000);

        Assert.False(lease.TryTake(Today, 10));
        Assert.Equal(0, lease.TakeWhatItHolds(Today, 10));
        Assert.Null(lease.TakeUnspent());
    }

    [Fact]
    public void Requests_draw_a_granted_slice_down_until_it_is_short()
    {
        var lease = new SpendLease(1_000);
        Assert.True(lease.AddAndTake(Today, granted: 1_000, cost: 0));

        Assert.True(lease.TryTake(Today, 400));
        Assert.True(lease.TryTake(Today, 400));
        Assert.False(lease.TryTake(Today, 400));
        // 200 left: a refill for a request of 400 takes them, and asks the store for the other 200.
        Assert.Equal(200, lease.TakeWhatItHolds(Today, 400));
        Assert.Null(lease.TakeUnspent());
        lease.GiveBack(Today, 200);
        Assert.Equal((Today, 200L), lease.TakeUnspent());
        Assert.Null(lease.TakeUnspent());
    }

    [Fact]
    public void A_settled_request_gives_back_what_it_did_not_spend_and_owes_the_store_what_the_slice_cannot_cover()
    {
        var lease = new SpendLease(1_000);
        Assert.True(lease.AddAndTake(Today, granted: 1_000, cost: 0));
        Assert.True(lease.TryTake(Today, 600));

        Assert.Equal(0, lease.Settle(Today, reserved: 600, spent: 100));
        Assert.True(lease.TryTake(Today, 900));

        // Reserved 900, spent 1,300: the slice held nothing more, so 400 is owed to the store now, and the slice is empty.
        Assert.Equal(400, lease.Settle(Today, reserved: 900, spent: 1_300));
        Assert.False(lease.TryTake(Today, 1));
        Assert.Equal(0, lease.TakeWhatItHolds(Today, 1));
        Assert.Null(lease.TakeUnspent());
    }

    [Fact]
    public void A_new_day_starts_from_nothing_and_never_goes_back()
    {
        var lease = new SpendLease(1_000);
        Assert.True(lease.AddAndTake(Today, granted: 1_000, cost: 0));
        Assert.True(lease.TryTake(Today, 300));

        var tomorrow = Today.AddDays(1);
        Assert.False(lease.TryTake(tomorrow, 1));
        Assert.True(lease.AddAndTake(tomorrow, 50, 10));

        // A request of yesterday, late: the lease stays on today, gives it nothing back, and owes only an overrun.
        Assert.True(lease.IsBehind(Today));
        Assert.False(lease.TryTake(Today, 1));
        Assert.False(lease.AddAndTake(Today, 1_000, 1));
        Assert.Equal(0, lease.Settle(Today, reserved: 300, spent: 0));
        Assert.Equal(20, lease.Settle(Today, reserved: 300, spent: 320));
        Assert.Equal((tomorrow, 40L), lease.TakeUnspent());
    }

    [Fact]
    public void A_request_served_from_the_slice_while_a_refill_is_out_cannot_take_what_the_refill_counted_on()
    {
        var lease = new SpendLease(1_000);
        Assert.True(lease.AddAndTake(Today, granted: 400, cost: 0));

        // A refill for a request of 700 takes the 400 the slice holds and asks the store for 300.
        Assert.Equal(400, lease.TakeWhatItHolds(Today, 700));
        // Meanwhile a request of 300 on the fast path finds nothing to take.
        Assert.False(lease.TryTake(Today, 300));
        // The store granted exactly the 300: the slice is empty, never in debt.
        Assert.True(lease.AddAndTake(Today, granted: 300, cost: 300));
        Assert.False(lease.TryTake(Today, 1));
        Assert.Equal(0, lease.Settle(Today, reserved: 700, spent: 700));
        Assert.Null(lease.TakeUnspent());
    }

    [Fact]
    public void A_refused_refill_answers_requests_of_its_day_needing_as_much_until_its_time_and_a_failure_answers_all()
    {
        var lease = new SpendLease(1_000);
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        lease.TryTake(Today, 1);
        Assert.False(lease.TryRecentRefusal(Today, now, need: 500, out _));

        lease.RememberRefusal(Today, 1, need: 500, now.AddSeconds(1));
        Assert.True(lease.TryRecentRefusal(Today, now.AddMilliseconds(999), need: 500, out var verdict));
        Assert.Equal(1, verdict);
        Assert.False(lease.TryRecentRefusal(Today, now, need: 499, out _));
        Assert.False(lease.TryRecentRefusal(Today, now.AddSeconds(1), need: 500, out _));

        lease.RememberRefusal(Today, null, need: 500, now.AddSeconds(1));
        Assert.True(lease.TryRecentRefusal(Today, now, need: 1, out verdict));
        Assert.Null(verdict);

        // A new day forgets it, and a refusal of a day the lease has left is not kept.
        var tomorrow = Today.AddDays(1);
        lease.TryTake(tomorrow, 1);
        Assert.False(lease.TryRecentRefusal(tomorrow, now, need: 1, out _));
        lease.RememberRefusal(Today, 1, need: 1, now.AddSeconds(1));
        Assert.False(lease.TryRecentRefusal(tomorrow, now, need: 1, out _));
    }
}
