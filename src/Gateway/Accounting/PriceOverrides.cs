using System.Text.Json;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Accounting;

/// <summary>
/// Prices set at runtime through the admin API, kept in one store hash (model → dated prices) and
/// applied by every instance: at once on the instance that took the change, within a second
/// (a poll of one small hash) on the others.
/// </summary>
internal sealed class PriceOverrides(GatewayStore store, PricingTable pricing, ILogger<PriceOverrides> logger) : BackgroundService
{
    private string Key => $"{store.Keys.Prefix}:pricing:overrides";

    public async Task AddAsync(string model, ModelPrice price)
    {
        // Prices are looked up ignoring case: a change to "GPT-4o" goes into the field "gpt-4o" already has.
        foreach (var field in await store.Database.HashKeysAsync(Key))
        {
            if (string.Equals(field, model, StringComparison.OrdinalIgnoreCase))
            {
                model = field!;
                break;
            }
        }

        var current = await store.Database.HashGetAsync(Key, model);
        var prices = current.IsNull ? [] : JsonSerializer.Deserialize((string)current!, GatewayJsonContext.Default.ModelPriceArray) ?? [];
        var updated = prices.Where(p => p.EffectiveFrom != price.EffectiveFrom).Append(price).OrderBy(p => p.EffectiveFrom).ToArray();
        await store.Database.HashSetAsync(Key, model, JsonSerializer.Serialize(updated, GatewayJsonContext.Default.ModelPriceArray));
        await LoadAsync();
    }

    public async Task LoadAsync()
    {
        var entries = await store.Database.HashGetAllAsync(Key);
        // Not a dictionary: two fields that differ only in case (written before AddAsync matched names) are merged
        // by the table, never a duplicate key that would stop every instance's poll.
        pricing.ApplyOverrides(entries.Select(e => KeyValuePair.Create(
            (string)e.Name!,
            JsonSerializer.Deserialize((string)e.Value!, GatewayJsonContext.Default.ModelPriceArray) ?? [])));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                await LoadAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever a stored value holds, the poll lives on: a host whose background service faults stops.
                // Prices in force stay; the next tick tries again.
                PricingLog.OverridesNotLoaded(logger, ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
