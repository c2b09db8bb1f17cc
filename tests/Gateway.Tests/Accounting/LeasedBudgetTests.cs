using System.Globalization;
using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Budgets;
using LlmGateway.Contracts.Keys;
using LlmGateway.Providers;
using LlmGateway.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using LlmGateway.Tests.Infrastructure;

using static LlmGateway.Tests.Accounting.BudgetOutage;
using static LlmGateway.Tests.Accounting.BudgetTestKit;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// A key whose spend is drawn in slices (the shadow principal's): against the real store, requests cost it a store
/// round trip only when a slice runs short, two instances together never spend more than the limit, and what an
/// instance holds goes back when it stops.
/// </summary>
public sealed class LeasedBudgetTests(TestEnvironment env)
{
    [Fact]
    public async Task Many_requests_reserve_one_slice_in_the_store_and_the_unspent_rest_goes_back_at_stop()
    {
        var clock = new ManualTimeProvider(Noon);
        var guard = Guard(clock);
        var key = Key(dailyUsd: 1m, sliceUsd: 0.01m);

        var spent = 0L;
        for (var i = 0; i < 10; i++)
        {
            var reservation = await ReserveAsync(guard, key);
            spent += reservation.CostNanoUsd;
            await guard.SettleAsync(reservation, Spent(reservation.CostNanoUsd));
        }

        // Ten requests of ~70,000 nano-USD each fit in one slice of 10,000,000: the store saw one reservation.
        Assert.True(spent < 10_000_000, $"spent {spent}");
        Assert.Equal(10_000_000, await DayCounterAsync(key, Noon));

        await guard.ReturnLeasesAsync();
        Assert.Equal(spent, await DayCounterAsync(key, Noon));
    }

    [Fact]
    public async Task Two_instances_together_never_spend_more_than_the_limit_and_its_last_cents_still_serve()
    {
        var clock = new ManualTimeProvider(Noon);
        var (first, second) = (Guard(clock), Guard(clock));
        // Slices of 0.001 USD against a day of 0.0025: two whole slices, then only what fits.
        var key = Key(dailyUsd: 0.0025m, sliceUsd: 0.001m);
        const long Limit = 2_500_000;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 120).Select(async i =>
        {
            var guard = i % 2 == 0 ? first : second;
            var (reservation, error) = await guard.ReserveAsync(key, Model(), Estimate(), 100);
            if (reservation is not null)
            {
                await guard.SettleAsync(reservation, Spent(reservation.CostNanoUsd));
            }

            return (Cost: reservation?.CostNanoUsd, Refused: error?.Body.Code);
        }));

        var cost = outcomes.First(o => o.Cost is not null).Cost!.Value;
        var served = outcomes.Count(o => o.Cost is not null);
        Assert.All(outcomes.Where(o => o.Cost is null), o => Assert.Equal("budget_exceeded", o.Refused));
        Assert.True(served * cost <= Limit, $"served {served} × {cost} nano-USD against {Limit}");
        // Each instance can be left holding less than one request's cost: no more than that is refused early.
        Assert.True(served >= (Limit / cost) - 2, $"served {served}, {Limit / cost} fit");
        Assert.True(await DayCounterAsync(key, Noon) <= Limit);

        await first.ReturnLeasesAsync();
        await second.ReturnLeasesAsync();
        Assert.Equal(served * cost, await DayCounterAsync(key, Noon));
    }

    [Fact]
    public async Task A_new_day_reserves_a_new_slice_against_that_day()
    {
        var clock = new ManualTimeProvider(Noon);
        var guard = Guard(clock);
        var key = Key(dailyUsd: 1m, sliceUsd: 0.01m);

        await guard.SettleAsync(await ReserveAsync(guard, key), Spent(0));
        clock.Advance(TimeSpan.FromDays(1));
        var tomorrow = await ReserveAsync(guard, key);

        Assert.Equal(10_000_000, await DayCounterAsync(key, Noon));
        Assert.Equal(10_000_000, await DayCounterAsync(key, Noon.AddDays(1)));
        await guard.SettleAsync(tomorrow, Spent(tomorrow.CostNanoUsd));
        await guard.ReturnLeasesAsync();
        Assert.Equal(tomorrow.CostNanoUsd, await DayCounterAsync(key, Noon.AddDays(1)));
    }

    [Fact]
    public async Task A_request_that_spent_more_than_its_slice_holds_is_counted_in_the_store_at_once()
    {
        var clock = new ManualTimeProvider(Noon);
        var guard = Guard(clock);
        var key = Key(dailyUsd: 1m, sliceUsd: 0.0001m);

        var first = await ReserveAsync(guard, key);
        Assert.Equal(100_000, await DayCounterAsync(key, Noon));
        // The provider billed 0.0003 USD against a slice of 0.0001: the store reads what was spent, not what was leased.
        await guard.SettleAsync(first, Spent(300_000));
        Assert.Equal(300_000, await DayCounterAsync(key, Noon));

        var second = await ReserveAsync(guard, key);
        await guard.SettleAsync(second, Spent(second.CostNanoUsd));
        await guard.ReturnLeasesAsync();
        Assert.Equal(300_000 + second.CostNanoUsd, await DayCounterAsync(key, Noon));
    }

    [Fact]
    public async Task An_overrun_the_store_could_not_count_is_counted_against_its_own_day_after_the_lease_moved_on()
    {
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, _, guard, store) = rig;
        var key = Key(dailyUsd: 1m, sliceUsd: 0.0001m);

        var first = await ReserveAsync(guard, key);
        Assert.Equal(100_000, await DayCounterAsync(store, key, Noon));

        // 0.0003 USD spent against a slice of 0.0001, settled while the store is unreachable: the 0.0002 beyond the
        // slice cannot be counted now.
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, first, Spent(300_000));
        Assert.Equal(100_000, await DayCounterAsync(store, key, Noon));
        Assert.Equal(1, guard.PendingSettlements);

        // The next day's first request moves the lease on (a new slice against the new day) before any retry: the
        // overrun still belongs to the day it was spent on, and is counted there.
        var tomorrow = Noon.AddDays(1);
        rig.Clock.Advance(TimeSpan.FromDays(1));
        var second = await ReserveAsync(guard, key);
        Assert.Equal(0, await guard.RetrySettlementsAsync());
        Assert.Equal(300_000, await DayCounterAsync(store, key, Noon));
        Assert.Equal(100_000, await DayCounterAsync(store, key, tomorrow));

        await guard.SettleAsync(second, Spent(second.CostNanoUsd));
        await guard.ReturnLeasesAsync();
        Assert.Equal(second.CostNanoUsd, await DayCounterAsync(store, key, tomorrow));
    }

    [Fact]
    public async Task A_gateway_that_stops_counts_an_overrun_the_store_could_not_take_before()
    {
        await using var rig = await BudgetOutage.StartAsync(env);
        var (outage, _, guard, store) = rig;
        var key = Key(dailyUsd: 1m, sliceUsd: 0.0001m);

        var first = await ReserveAsync(guard, key);
        await SettleWhileTheStoreIsDownAsync(outage, store, guard, first, Spent(300_000));

        // No refill came: at stop, the overrun is counted, and the unspent slice (none: the overrun used it) goes back.
        await guard.ReturnLeasesAsync();
        Assert.Equal(300_000, await DayCounterAsync(store, key, Noon));
    }

    [Fact]
    public async Task With_the_store_down_one_refill_pays_the_failure_and_the_requests_behind_it_take_its_answer()
    {
        await using var outage = RelayedStore.Start();
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(outage.GatewaySettings(env), builder => builder.Logging.AddProvider(logs));
        var guard = gateway.GetRequiredService<BudgetGuard>();
        var key = Key(dailyUsd: 1m, sliceUsd: 0.01m);
        var store = gateway.GetRequiredService<GatewayStore>();

        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => guard.ReserveAsync(key, Model(), Estimate(), 100).AsTask()));

        // Fail-open (the default): every request goes on with nothing reserved (its spend counted when it settles), and
        // only the first asked the store.
        Assert.All(outcomes, o => Assert.Equal((true, 0L, null, null), (o.Reservation?.LetThrough, o.Reservation?.CostNanoUsd, o.Reservation?.Lease, o.Error)));
        Assert.Single(logs.Lines, l => l.Category == typeof(BudgetGuard).FullName && l.Text.StartsWith("Budget check impossible", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_gateway_that_stops_gives_its_unspent_slice_back_to_the_store()
    {
        var key = Key(dailyUsd: 1m, sliceUsd: 0.01m);
        var clock = new ManualTimeProvider(Noon);
        long spent;
        await using (var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), builder => builder.Services.AddSingleton<TimeProvider>(clock)))
        {
            var guard = gateway.GetRequiredService<BudgetGuard>();
            var (reservation, error) = await guard.ReserveAsync(key, Model(), Estimate(), 100);
            Assert.Null(error);
            spent = reservation!.CostNanoUsd;
            await guard.SettleAsync(reservation, Spent(spent));
            Assert.Equal(10_000_000, await DayCounterAsync(key, Noon));
        }

        // Stopped (its hosted services too): only what it spent stays counted.
        Assert.Equal(spent, await DayCounterAsync(key, Noon));
    }

    [Fact]
    public async Task A_slice_is_not_given_back_to_a_counter_the_store_lost()
    {
        var clock = new ManualTimeProvider(Noon);
        var guard = Guard(clock);
        var key = Key(dailyUsd: 1m, sliceUsd: 0.01m);
        await guard.SettleAsync(await ReserveAsync(guard, key), Spent(0));
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var day = $"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:20261205";
        Assert.Equal(10_000_000, await DayCounterAsync(key, Noon));

        // The store lost the day's counter (a restart, an eviction): the slice returned at stop must not re-create it
        // below zero, without an expiry.
        await store.Database.KeyDeleteAsync(day);
        await guard.ReturnLeasesAsync();

        Assert.False(await store.Database.KeyExistsAsync(day));
    }

    private BudgetGuard Guard(TimeProvider clock) => ActivatorUtilities.CreateInstance<BudgetGuard>(env.Gateway.Services, clock);

    [Fact]
    public async Task With_the_store_down_a_shadow_copy_is_refused_while_a_clients_request_fails_open()
    {
        await using var outage = RelayedStore.Start();
        await using var gateway = await GatewayHost.StartAsync(outage.GatewaySettings(env));
        var guard = gateway.GetRequiredService<BudgetGuard>();
        var store = gateway.GetRequiredService<GatewayStore>();
        var client = Key(dailyUsd: 1m, sliceUsd: 0.01m);
        var leasedShadow = Key(dailyUsd: 1m, sliceUsd: 0.01m) with { IsShadow = true };
        // A shadow budget with a token limit reserves in the store on every copy, not from a slice.
        var storeShadow = Key(dailyUsd: 1m, sliceUsd: 0.01m) with { IsShadow = true, Limits = new KeyLimits(1m, null, 100_000), SpendSliceUsd = null };

        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));
        var clientOutcome = await guard.ReserveAsync(client, Model(), Estimate(), 100);
        var shadowOutcomes = await Task.WhenAll(new[] { leasedShadow, leasedShadow, storeShadow }.Select(k => guard.ReserveAsync(k, Model(), Estimate(), 100).AsTask()));

        // Nobody waits for a copy: with nothing to limit or count its spend by, it is not sent.
        Assert.Equal((true, null), (clientOutcome.Reservation?.LetThrough, clientOutcome.Error));
        Assert.All(shadowOutcomes, o => Assert.Equal("store_unavailable", o.Error?.Body.Code));
        Assert.All(shadowOutcomes, o => Assert.Null(o.Reservation));
    }

    private static GatewayKey Key(decimal dailyUsd, decimal sliceUsd) =>
        new("lease-" + Guid.NewGuid().ToString("n")[..12], "test", "test", [], Noon)
        {
            Limits = new KeyLimits(dailyUsd, null, null),
            SpendSliceUsd = sliceUsd,
        };

    private CatalogModel Model() => BudgetTestKit.Model(env.Gateway);

    private PromptTokenEstimate Estimate() => BudgetTestKit.Estimate(env.Gateway);

    private async Task<BudgetReservation> ReserveAsync(BudgetGuard guard, GatewayKey key)
    {
        var (reservation, error) = await guard.ReserveAsync(key, Model(), Estimate(), 100);
        Assert.Null(error);
        Assert.NotNull(reservation);
        Assert.NotNull(reservation.Lease);
        return reservation;
    }

    private Task<long> DayCounterAsync(GatewayKey key, DateTimeOffset day) => DayCounterAsync(env.Gateway.GetRequiredService<GatewayStore>(), key, day);

    private static string DayKey(GatewayStore store, GatewayKey key, DateTimeOffset day) =>
        $"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    private static async Task<long> DayCounterAsync(GatewayStore store, GatewayKey key, DateTimeOffset day)
    {
        var value = await store.Database.StringGetAsync(DayKey(store, key, day));
        return value.IsNull ? 0 : (long)value;
    }
}
