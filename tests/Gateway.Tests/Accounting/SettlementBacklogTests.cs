using LlmGateway.Budgets;

namespace LlmGateway.Tests.Accounting;

public sealed class SettlementBacklogTests
{
    private static readonly DateOnly Day = new(2026, 12, 5);

    [Fact]
    public void Amounts_never_sent_add_up_per_key_and_day_and_a_take_empties_it()
    {
        var backlog = new SettlementBacklog();
        Assert.True(backlog.Add("a", Day, sentAs: null, 300));
        Assert.True(backlog.Add("a", Day, sentAs: null, 100));
        Assert.True(backlog.Add("a", Day.AddDays(1), sentAs: null, 50));
        Assert.True(backlog.Add("b", Day, sentAs: null, 0)); // nothing to keep

        Assert.Equal(2, backlog.Count);
        var taken = backlog.TakeAll().OrderBy(e => e.Day).ToList();
        Assert.Equal([("a", Day, 400L), ("a", Day.AddDays(1), 50L)], taken.Select(e => (e.KeyId, e.Day, Assert.Single(e.Settlements).NanoUsd)));
        Assert.NotEqual(taken[0].Settlements[0].Id, taken[1].Settlements[0].Id);
        Assert.Equal(0, backlog.Count);
        Assert.Empty(backlog.TakeAll());
    }

    [Fact]
    public void An_amount_the_store_may_have_counted_keeps_its_own_id_through_every_retry()
    {
        // Merged with another under either id, a retry would count it again or skip the other.
        var backlog = new SettlementBacklog();
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        backlog.Add("a", Day, first, 300);
        backlog.Add("a", Day, second, 200);
        backlog.Add("a", Day, sentAs: null, 100);
        var taken = Assert.Single(backlog.TakeAll());
        Assert.Equal(first, taken.Settlements[0].Id);
        Assert.Equal(second, taken.Settlements[1].Id);
        var unsent = taken.Settlements[2];
        Assert.Equal(100, unsent.NanoUsd);
        Assert.Equal(0, backlog.Count);

        // The retry went unanswered: all three now wait under the ids they were sent with, and an amount never sent
        // meanwhile under an id of its own.
        backlog.Add("a", Day, sentAs: null, 40);
        backlog.Restore("a", Day, taken.Settlements);
        var again = Assert.Single(backlog.TakeAll()).Settlements;
        Assert.Equal([(first, 300L), (second, 200L), (unsent.Id, 100L)], again.Take(3).Select(s => (s.Id, s.NanoUsd)));
        Assert.Equal(40, again[3].NanoUsd);
        Guid[] sent = [first, second, unsent.Id];
        Assert.DoesNotContain(again[3].Id, sent);
    }

    [Fact]
    public void A_give_back_is_not_kept()
    {
        var backlog = new SettlementBacklog();
        Assert.True(backlog.Add("a", Day, Guid.NewGuid(), -300));
        backlog.Add("b", Day, sentAs: null, 200);
        backlog.Add("b", Day, sentAs: null, -100);

        Assert.Equal([("b", Day, 200L)], backlog.TakeAll().Select(e => (e.KeyId, e.Day, Assert.Single(e.Settlements).NanoUsd)));
    }

    [Fact]
    public void A_full_backlog_refuses_a_new_key_but_still_adds_to_one_it_holds()
    {
        var backlog = new SettlementBacklog();
        for (var i = 0; i < SettlementBacklog.MaxEntries; i++)
        {
            Assert.True(backlog.Add("k" + i, Day, sentAs: null, 1));
        }

        Assert.False(backlog.Add("new", Day, sentAs: null, 1));
        Assert.True(backlog.Add("k0", Day, sentAs: null, 1));
        Assert.Equal(SettlementBacklog.MaxEntries, backlog.Count);
        Assert.Contains(("k0", Day, 2L), backlog.TakeAll().Select(e => (e.KeyId, e.Day, e.Settlements.Sum(s => s.NanoUsd))));
    }

    [Fact]
    public void Past_the_most_ids_kept_an_amount_the_store_may_have_counted_joins_the_amount_never_sent()
    {
        // Counted at most twice then (the strict direction), never dropped.
        var backlog = new SettlementBacklog();
        for (var i = 0; i < SettlementBacklog.MaxSettlements; i++)
        {
            Assert.True(backlog.Add("k" + (i % 100), Day, Guid.NewGuid(), 1));
        }

        Assert.True(backlog.Add("k0", Day, Guid.NewGuid(), 50));
        Assert.True(backlog.Add("k0", Day, sentAs: null, 7));
        var k0 = backlog.TakeAll().Single(e => e.KeyId == "k0").Settlements;
        Assert.Equal(SettlementBacklog.MaxSettlements / 100, k0.Count(s => s.NanoUsd == 1));
        Assert.Equal(57, k0[^1].NanoUsd);

        // A take empties the ids kept: a new one is kept under its own again.
        var id = Guid.NewGuid();
        backlog.Add("k0", Day, id, 3);
        Assert.Equal([(id, 3L)], Assert.Single(backlog.TakeAll()).Settlements.Select(s => (s.Id, s.NanoUsd)));
    }
}
