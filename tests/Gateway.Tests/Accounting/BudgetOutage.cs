using LlmGateway.Accounting;
using LlmGateway.Budgets;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// A gateway of the test's own on a store the test can cut (<see cref="RelayedStore"/>), and a budget guard on its
/// services with a clock at <see cref="BudgetTestKit.Noon"/>.
/// </summary>
internal sealed class BudgetOutage(RelayedStore outage, GatewayHost gateway, BudgetGuard guard, ManualTimeProvider clock) : IAsyncDisposable
{
    public RelayedStore Outage { get; } = outage;

    public GatewayHost Gateway { get; } = gateway;

    public BudgetGuard Guard { get; } = guard;

    /// <summary>The guard's clock, from <see cref="BudgetTestKit.Noon"/>.</summary>
    public ManualTimeProvider Clock { get; } = clock;

    public GatewayStore Store => Gateway.GetRequiredService<GatewayStore>();

    public static async Task<BudgetOutage> StartAsync(TestEnvironment env, Action<WebApplicationBuilder>? configure = null, Action<Dictionary<string, string?>>? settings = null)
    {
        var outage = RelayedStore.Start();
        var configured = outage.GatewaySettings(env);
        settings?.Invoke(configured);
        var gateway = await GatewayHost.StartAsync(configured, configure);
        var clock = new ManualTimeProvider(BudgetTestKit.Noon);
        return new BudgetOutage(outage, gateway, ActivatorUtilities.CreateInstance<BudgetGuard>(gateway.Services, clock), clock);
    }

    public void Deconstruct(out RelayedStore outage, out GatewayHost gateway, out BudgetGuard guard, out GatewayStore store) =>
        (outage, gateway, guard, store) = (Outage, Gateway, Guard, Store);

    /// <summary>Settles <paramref name="reservation"/> with the store unreachable, then brings the store back.</summary>
    public static async Task SettleWhileTheStoreIsDownAsync(RelayedStore outage, GatewayStore store, BudgetGuard guard, BudgetReservation reservation, AccountingRecord? actual)
    {
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));
        await guard.SettleAsync(reservation, actual);
        outage.Relay.Restore();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(store.IsConnected), TimeSpan.FromSeconds(30)));
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Outage.DisposeAsync();
    }
}
