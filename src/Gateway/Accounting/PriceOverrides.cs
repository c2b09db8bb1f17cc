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

    /// <summary>
    /// Adds a dated price. Prices are looked up ignoring case, so a model's prices live in one field, its name in lower
    /// case: every spelling a store written before holds is folded into it in the same transaction (the new price wins
    /// its date), so no two fields can disagree on a price and a PUT in any case is the one that counts.
    /// </summary>
    public async Task AddAsync(string model, ModelPrice price)
    {
        var database = store.Database;
        var field = model.ToLowerInvariant();
        var spellings = (await database.HashGetAllAsync(Key)).Where(e => string.Equals(e.Name, model, StringComparison.OrdinalIgnoreCase)).ToList();
        var prices = spellings
            .SelectMany(e => JsonSerializer.Deserialize((string)e.Value!, GatewayJsonContext.Default.ModelPriceArray) ?? [])
            .Where(p => p.EffectiveFrom != price.EffectiveFrom)
            .GroupBy(p => p.EffectiveFrom)
            .Select(g => g.Last())
            .Append(price)
            .OrderBy(p => p.EffectiveFrom)
            .ToArray();
        var transaction = database.CreateTransaction();
        var others = spellings.Select(e => e.Name).Where(name => name != field).ToArray();
        if (others.Length > 0)
        {
            _ = transaction.HashDeleteAsync(Key, others);
        }

        _ = transaction.HashSetAsync(Key, field, JsonSerializer.Serialize(prices, GatewayJsonContext.Default.ModelPriceArray));
        await transaction.ExecuteAsync();
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
