using LlmGateway.Budgets;

namespace LlmGateway.Tests.Accounting;

/// <summary>The in-memory slice of a key's day: what it lets a request take, and what a refill must add.</summary>
public sealed class SpendLeaseTests
{
    private static readonly DateOnly Today = new(2026, 12, 5);

    [Fact]
    public void An_empty_lease_takes_nothing_and_asks_for_the_whole_cost()
    {
        var lease = new SpendLease(sliceNanoUsd: 1_000);

        Assert.False(lease.TryTake(Today, 10));
        Assert.Equal(10, lease.Shortfall(Today, 10));
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
        // 200 left: the refill must add 200 more for a request of 400.
        Assert.Equal(200, lease.Shortfall(Today, 400));
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
        Assert.Equal(1, lease.Shortfall(Today, 1));
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
    public void A_refused_refill_is_remembered_until_its_time_and_a_new_day_forgets_it()
    {
        var lease = new SpendLease(1_000);
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        Assert.False(lease.TryRecentRefusal(now, out _));

        lease.TryTake(Today, 1);
        lease.RememberRefusal(1, now.AddSeconds(1));
        Assert.True(lease.TryRecentRefusal(now.AddMilliseconds(999), out var verdict));
        Assert.Equal(1, verdict);
        Assert.False(lease.TryRecentRefusal(now.AddSeconds(1), out _));

        lease.RememberRefusal(null, now.AddSeconds(1));
        Assert.True(lease.TryRecentRefusal(now, out verdict));
        Assert.Null(verdict);
        lease.TryTake(Today.AddDays(1), 1);
        Assert.False(lease.TryRecentRefusal(now, out _));
    }
}
