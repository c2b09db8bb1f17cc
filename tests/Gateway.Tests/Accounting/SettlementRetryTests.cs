using System.Globalization;
using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Budgets;
using LlmGateway.Contracts.Keys;
using LlmGateway.Providers;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

using static LlmGateway.Tests.Accounting.BudgetOutage;
using static LlmGateway.Tests.Accounting.BudgetTestKit;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// A budgeted key's settlement made while the store is unreachable (its own reservation in the store, not a slice):
/// kept in the gateway and counted when the store is back, by the periodic retry or at stop, so the store reads what
/// was spent, not the reservation.
/// </summary>
public sealed class SettlementRetryTests(TestEnvironment env)
{
    [Fact]
    public async Task An_overrun_settled_while_the_store_is_down_is_counted_when_it_is_back()
    {
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();

        var reservation = await ReserveAsync(guard, key, gateway);
        var spent = reservation.CostNanoUsd + 300_000;
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, reservation, Spent(spent));
        Assert.Equal(reservation.CostNanoUsd, await CounterAsync(store, key, "day", "20261205"));
        Assert.Equal(1, guard.PendingSettlements);

        Assert.Equal(0, await guard.RetrySettlementsAsync());
        Assert.Equal(spent, await CounterAsync(store, key, "day", "20261205"));
        Assert.Equal(spent, await CounterAsync(store, key, "month", "202612"));
        Assert.Equal(0, guard.PendingSettlements);
    }

    [Fact]
    public async Task Requests_let_through_with_the_store_down_have_all_they_spent_counted_once_it_is_back()
    {
        // Nothing was reserved for them (fail-open): a settlement that counted only the difference from a reservation
        // would leave their spend out of the key's counters for good.
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));

        var (settledWhileDown, error) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100);
        Assert.Null(error);
        Assert.True(settledWhileDown!.LetThrough);
        var (settledAfter, _) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100);
        await guard.SettleAsync(settledWhileDown, Spent(700_000));
        Assert.Equal(1, guard.PendingSettlements);

        outage.Relay.Restore();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(store.IsConnected), TimeSpan.FromSeconds(30)));
        await guard.SettleAsync(settledAfter!, Spent(200_000));
        Assert.Equal(0, await guard.RetrySettlementsAsync());
        Assert.Equal(900_000, await CounterAsync(store, key, "day", "20261205"));
        Assert.Equal(900_000, await CounterAsync(store, key, "month", "202612"));
    }

    [Fact]
    public async Task A_retry_the_store_still_fails_keeps_the_settlement_for_the_next()
    {
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();

        var first = await ReserveAsync(guard, key, gateway);
        var second = await ReserveAsync(guard, key, gateway);
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));
        await guard.SettleAsync(first, Spent(first.CostNanoUsd + 500_000));
        await guard.SettleAsync(second, Spent(second.CostNanoUsd + 200_000));
        // The same key and day wait as one entry, and a retry the store still fails keeps it.
        Assert.Equal(1, guard.PendingSettlements);
        Assert.Equal(1, await guard.RetrySettlementsAsync());

        outage.Relay.Restore();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(store.IsConnected), TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await guard.RetrySettlementsAsync());
        Assert.Equal(first.CostNanoUsd + second.CostNanoUsd + 700_000, await CounterAsync(store, key, "day", "20261205"));
    }

    [Fact]
    public async Task An_overrun_the_store_counted_after_the_gateway_stopped_waiting_is_counted_once_however_often_it_is_retried()
    {
        // A slow store, not a gone one (a stall, a brownout): the count runs, its reply comes after the time-out, and
        // the retry after it may time out the same way once it has landed. Counted again each time, one overrun would
        // fill the key's day.
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();
        var reservation = await ReserveAsync(guard, key, gateway);
        var spent = reservation.CostNanoUsd + 300_000;

        outage.Relay.HoldReplies();
        await guard.SettleAsync(reservation, Spent(spent));
        Assert.Equal(1, guard.PendingSettlements);
        outage.Relay.ReleaseReplies();
        Assert.Equal(spent, await CounterAsync(store, key, "day", "20261205")); // it landed all the same

        await RetryLateThenInTimeAsync(outage, guard);
        Assert.Equal(spent, await CounterAsync(store, key, "day", "20261205"));
        Assert.Equal(spent, await CounterAsync(store, key, "month", "202612"));
    }

    [Fact]
    public async Task Spend_let_through_with_the_store_away_is_counted_once_when_a_retry_lands_late()
    {
        // Kept at once, never sent (the store was away): its first try is the retry, which the store counts after the
        // gateway stopped waiting for it.
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));
        var (letThrough, error) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100);
        Assert.Null(error);
        Assert.True(letThrough!.LetThrough);
        await guard.SettleAsync(letThrough, Spent(700_000));
        outage.Relay.Restore();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(store.IsConnected), TimeSpan.FromSeconds(30)));

        await RetryLateThenInTimeAsync(outage, guard);
        Assert.Equal(700_000, await CounterAsync(store, key, "day", "20261205"));
        Assert.Equal(700_000, await CounterAsync(store, key, "month", "202612"));
    }

    [Fact]
    public async Task An_unspent_reservation_the_store_could_not_take_back_stays_counted_and_is_not_retried()
    {
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();

        var reservation = await ReserveAsync(guard, key, gateway);
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, reservation, actual: null); // unanswered: costs nothing

        // Given back later, it could land on a counter the store lost and re-created meanwhile: the budget stays stricter.
        Assert.Equal(0, guard.PendingSettlements);
        Assert.Equal(0, await guard.RetrySettlementsAsync());
        Assert.Equal(reservation.CostNanoUsd, await CounterAsync(store, key, "day", "20261205"));
    }

    [Fact]
    public async Task A_give_back_never_takes_a_counter_below_zero_nor_re_creates_one_the_store_lost()
    {
        var guard = ActivatorUtilities.CreateInstance<BudgetGuard>(env.Gateway.Services, new ManualTimeProvider(Noon));
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var (shrunk, lost) = (Key(), Key());
        var first = await ReserveAsync(guard, shrunk, env.Gateway);
        var second = await ReserveAsync(guard, lost, env.Gateway);

        // The store lost part of one key's day (a failover to a replica that missed writes) and all of the other's.
        await store.Database.StringSetAsync(Counter(store, shrunk, "day", "20261205"), 1_000);
        await store.Database.KeyDeleteAsync(Counter(store, lost, "day", "20261205"));
        await guard.SettleAsync(first, actual: null);
        await guard.SettleAsync(second, actual: null);

        Assert.Equal(0, await CounterAsync(store, shrunk, "day", "20261205"));
        Assert.Equal(0, await CounterAsync(store, shrunk, "month", "202612"));
        Assert.False(await store.Database.KeyExistsAsync(Counter(store, lost, "day", "20261205")));
        Assert.Equal(0, await CounterAsync(store, lost, "month", "202612"));
        Assert.True(first.CostNanoUsd > 1_000);
    }

    [Fact]
    public async Task Tokens_given_back_never_take_the_minute_below_zero_nor_re_create_it()
    {
        var guard = ActivatorUtilities.CreateInstance<BudgetGuard>(env.Gateway.Services, new ManualTimeProvider(Noon));
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var minute = (Noon.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture);
        var (shrunk, lost) = (Key() with { Limits = new KeyLimits(null, null, 100_000) }, Key() with { Limits = new KeyLimits(null, null, 100_000) });
        var first = await ReserveAsync(guard, shrunk, env.Gateway);
        var second = await ReserveAsync(guard, lost, env.Gateway);
        Assert.Equal(first.Tokens, await CounterAsync(store, shrunk, "tpm", minute));

        // The store lost part of one key's minute and all of the other's; both requests used fewer tokens than reserved.
        await store.Database.StringSetAsync(Counter(store, shrunk, "tpm", minute), 5);
        await store.Database.KeyDeleteAsync(Counter(store, lost, "tpm", minute));
        await guard.SettleAsync(first, Spent(0));
        await guard.SettleAsync(second, Spent(0));

        // A negative count would be room within the minute that nobody gave.
        Assert.True(first.Tokens - Spent(0).InputTokens - Spent(0).OutputTokens > 5);
        Assert.Equal(0, await CounterAsync(store, shrunk, "tpm", minute));
        Assert.False(await store.Database.KeyExistsAsync(Counter(store, lost, "tpm", minute)));
    }

    [Fact]
    public async Task An_overrun_for_a_counter_the_store_lost_re_creates_it_with_an_expiry()
    {
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, gateway, guard, store) = rig;
        var key = Key();

        var reservation = await ReserveAsync(guard, key, gateway);
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, reservation, Spent(reservation.CostNanoUsd + 300_000));
        await store.Database.KeyDeleteAsync(Counter(store, key, "day", "20261205"));
        Assert.Equal(0, await guard.RetrySettlementsAsync());

        // What was spent beyond the reservation is counted, and the counter it re-created still expires.
        Assert.Equal(300_000, await CounterAsync(store, key, "day", "20261205"));
        Assert.NotNull(await store.Database.KeyTimeToLiveAsync(Counter(store, key, "day", "20261205")));
    }

    [Fact]
    public async Task A_running_gateway_counts_the_waiting_settlements_on_its_own_once_the_store_is_back()
    {
        await using var outage = RelayedStore.Start();
        var settings = outage.GatewaySettings(env);
        settings["Gateway:Budgets:SettlementRetryInterval"] = "00:00:00.200";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var guard = gateway.GetRequiredService<BudgetGuard>();
        var store = gateway.GetRequiredService<GatewayStore>();
        var key = Key();

        var reservation = await ReserveAsync(guard, key, gateway);
        var spent = reservation.CostNanoUsd + 300_000;
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, reservation, Spent(spent));

        Assert.True(await Eventually.TrueAsync(async () => await CounterAsync(store, key, "day", reservation.At.ToString("yyyyMMdd", CultureInfo.InvariantCulture)) == spent, TimeSpan.FromSeconds(15)));
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(guard.PendingSettlements == 0), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_gateway_that_stops_counts_the_settlements_the_store_could_not_take()
    {
        await using var outage = RelayedStore.Start();
        var settings = outage.GatewaySettings(env);
        // No periodic retry within the test: only the stop can count it.
        settings["Gateway:Budgets:SettlementRetryInterval"] = "00:10:00";
        var key = Key();
        long spent;
        string day;
        string prefix;
        await using (var gateway = await GatewayHost.StartAsync(settings))
        {
            var guard = gateway.GetRequiredService<BudgetGuard>();
            var store = gateway.GetRequiredService<GatewayStore>();
            var reservation = await ReserveAsync(guard, key, gateway);
            spent = reservation.CostNanoUsd + 300_000;
            day = reservation.At.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            prefix = store.Keys.Prefix;
            await SettleWhileTheStoreIsDownAsync(outage, store, guard, reservation, Spent(spent));
            Assert.Equal(reservation.CostNanoUsd, await CounterAsync(store, key, "day", day));
            Assert.Equal(1, guard.PendingSettlements);
        }

        await using var direct = await ConnectionMultiplexer.ConnectAsync(settings["Redis:Configuration"]!);
        Assert.Equal(spent, (long)await direct.GetDatabase().StringGetAsync($"{prefix}:{{budget:{key.Id}}}:day:{day}"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // drawn from a slice: its overrun waits with the others, and no retry comes after the stop
    public async Task An_overrun_settled_after_the_stop_that_the_store_cannot_take_is_logged_lost(bool leased)
    {
        var logs = new CapturingLoggerProvider();
        await using var rig = await BudgetOutage.StartAsync(env, builder => builder.Logging.AddProvider(logs));
        var (outage, gateway, guard, store) = rig;

        // A request that outlives the stop's last try (a stream longer than the shutdown's time-out).
        var key = leased ? Key() with { SpendSliceUsd = 0.0001m } : Key();
        var (reservation, error) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100);
        Assert.Null(error);
        Assert.Equal(leased, reservation!.Lease is not null);
        Assert.Equal(0, await guard.ReturnLeasesAsync());
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, reservation, Spent(reservation.CostNanoUsd + 300_000));

        Assert.Equal(0, guard.PendingSettlements);
        Assert.Single(logs.Lines, l => l.Category == typeof(BudgetGuard).FullName && l.Text.Contains("will never reach the store", StringComparison.Ordinal));
    }

    // A retry the store carries out but answers too late (kept for the next), then one answered in time.
    private static async Task RetryLateThenInTimeAsync(RelayedStore outage, BudgetGuard guard)
    {
        outage.Relay.HoldReplies();
        Assert.Equal(1, await guard.RetrySettlementsAsync());
        outage.Relay.ReleaseReplies();
        Assert.Equal(0, await guard.RetrySettlementsAsync());
    }

    // A key with its own reservation per request: a daily spend limit, no slice.
    private static GatewayKey Key() =>
        new("settle-" + Guid.NewGuid().ToString("n")[..12], "test", "test", [], Noon) { Limits = new KeyLimits(1m, null, null) };

    private static async Task<BudgetReservation> ReserveAsync(BudgetGuard guard, GatewayKey key, GatewayHost gateway)
    {
        var (reservation, error) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100);
        Assert.Null(error);
        Assert.NotNull(reservation);
        Assert.Null(reservation.Lease);
        return reservation;
    }

    private static string Counter(GatewayStore store, GatewayKey key, string period, string stamp) => $"{store.Keys.Prefix}:{{budget:{key.Id}}}:{period}:{stamp}";

    private static async Task<long> CounterAsync(GatewayStore store, GatewayKey key, string period, string stamp)
    {
        var value = await store.Database.StringGetAsync(Counter(store, key, period, stamp));
        return value.IsNull ? 0 : (long)value;
    }
}
