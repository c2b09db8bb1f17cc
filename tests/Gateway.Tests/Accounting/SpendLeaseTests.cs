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
        lease.Add(Today, 1_000);

        Assert.True(lease.TryTake(Today, 400));
        Assert.True(lease.TryTake(Today, 400));
        Assert.False(lease.TryTake(Today, 400));
        // 200 left: the refill must add 200 more for a request of 400.
        Assert.Equal(200, lease.Shortfall(Today, 400));
        Assert.Equal((Today, 200L), lease.TakeUnspent());
        Assert.Null(lease.TakeUnspent());
    }

    [Fact]
    public void A_settled_request_gives_back_what_it_did_not_spend_and_an_overrun_is_owed_by_the_next_refill()
    {
        var lease = new SpendLease(1_000);
        lease.Add(Today, 1_000);
        Assert.True(lease.TryTake(Today, 600));

        lease.Settle(Today, reserved: 600, spent: 100);
        Assert.True(lease.TryTake(Today, 900));

        // Reserved 900, spent 1,300: the slice is 400 in debt, and the next request's shortfall carries it.
        lease.Settle(Today, reserved: 900, spent: 1_300);
        Assert.False(lease.TryTake(Today, 1));
        Assert.Equal(401, lease.Shortfall(Today, 1));
        Assert.Null(lease.TakeUnspent());
    }

    [Fact]
    public void A_new_day_starts_from_nothing_and_yesterdays_settlements_do_not_touch_it()
    {
        var lease = new SpendLease(1_000);
        lease.Add(Today, 1_000);
        Assert.True(lease.TryTake(Today, 300));

        var tomorrow = Today.AddDays(1);
        Assert.False(lease.TryTake(tomorrow, 1));
        lease.Settle(Today, reserved: 300, spent: 0);
        Assert.False(lease.TryTake(tomorrow, 1));
        Assert.Null(lease.TakeUnspent());

        lease.Add(tomorrow, 50);
        Assert.Equal((tomorrow, 50L), lease.TakeUnspent());
    }
}
