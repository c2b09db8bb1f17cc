using LlmGateway.Budgets;

namespace LlmGateway.Tests.Accounting;

public sealed class SettlementBacklogTests
{
    private static readonly DateOnly Day = new(2026, 12, 5);

    [Fact]
    public void The_same_key_and_day_add_up_and_a_take_empties_it()
    {
        var backlog = new SettlementBacklog();
        Assert.True(backlog.Add("a", Day, 300));
        Assert.True(backlog.Add("a", Day, 100));
        Assert.True(backlog.Add("a", Day.AddDays(1), 50));
        Assert.True(backlog.Add("b", Day, 0)); // nothing to keep

        Assert.Equal(2, backlog.Count);
        var taken = backlog.TakeAll().OrderBy(e => e.Day).ToList();
        Assert.Equal([("a", Day, 400L), ("a", Day.AddDays(1), 50L)], taken);
        Assert.Equal(0, backlog.Count);
        Assert.Empty(backlog.TakeAll());
    }

    [Fact]
    public void A_give_back_is_not_kept()
    {
        var backlog = new SettlementBacklog();
        Assert.True(backlog.Add("a", Day, -300));
        backlog.Add("b", Day, 200);
        backlog.Add("b", Day, -100);

        Assert.Equal([("b", Day, 200L)], backlog.TakeAll());
    }

    [Fact]
    public void A_full_backlog_refuses_a_new_key_but_still_adds_to_one_it_holds()
    {
        var backlog = new SettlementBacklog();
        for (var i = 0; i < SettlementBacklog.MaxEntries; i++)
        {
            Assert.True(backlog.Add("k" + i, Day, 1));
        }

        Assert.False(backlog.Add("new", Day, 1));
        Assert.True(backlog.Add("k0", Day, 1));
        Assert.Equal(SettlementBacklog.MaxEntries, backlog.Count);
        Assert.Contains(("k0", Day, 2L), backlog.TakeAll());
    }
}
