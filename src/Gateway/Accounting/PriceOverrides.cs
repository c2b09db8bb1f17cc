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
    /// <summary>Reads and writes one PUT tries before giving up: each retry means another PUT for the model landed.</summary>
    private const int MaxAttempts = 20;

    // Never disposed: without its wait handle a SemaphoreSlim holds nothing to free, and a PUT at shutdown still uses it.
    private readonly SemaphoreSlim _loading = new(1, 1);

    private string Key => store.Keys.PriceOverrides;

    /// <summary>
    /// Adds a dated price. Prices are looked up ignoring case, so a model's prices live in one field, its name in lower
    /// case: every spelling a store written before holds is folded into it in the same transaction (the new price wins
    /// its date), so no two fields can disagree on a price and a PUT in any case is the one that counts.
    /// </summary>
    /// <remarks>
    /// A read, a merge here, then a write: the transaction commits only if every field it read is unchanged (WATCH, by
    /// the client's conditions), and reads again otherwise, so two PUTs for one model at the same moment both land.
    /// </remarks>
    /// <returns>False when the model's prices changed under every attempt (the price was not added).</returns>
    public async Task<bool> AddAsync(string model, ModelPrice price)
    {
        var database = store.Database;
        var field = FieldOf(model);
        for (var attempt = 1; ; attempt++)
        {
            // Matched as the field is made (lower-cased), not by an ignore-case compare: the two disagree on a few
            // characters (the Kelvin sign), and the condition on a field missed here would fail on every attempt.
            var spellings = (await database.HashGetAllAsync(Key)).Where(e => FieldOf(e.Name!) == field).ToList();
            var transaction = database.CreateTransaction();
            foreach (var spelling in spellings)
            {
                transaction.AddCondition(Condition.HashEqual(Key, spelling.Name, spelling.Value));
            }

            if (!spellings.Any(e => e.Name == field))
            {
                transaction.AddCondition(Condition.HashNotExists(Key, field));
            }

            var others = spellings.Select(e => e.Name).Where(name => name != field).ToArray();
            if (others.Length > 0)
            {
                _ = transaction.HashDeleteAsync(Key, others);
            }

            _ = transaction.HashSetAsync(Key, field, JsonSerializer.Serialize(Merge(spellings, price, pricing.ConfiguredPrices(model)), GatewayJsonContext.Default.ModelPriceArray));
            if (await transaction.ExecuteAsync())
            {
                await LoadAsync();
                return true;
            }

            if (attempt == MaxAttempts)
            {
                return false;
            }
        }
    }

    /// <summary>The one field a model's prices live in, whatever the spelling it was sent with.</summary>
    private static string FieldOf(string model) => model.ToLowerInvariant();

    /// <summary>
    /// The stored prices with <paramref name="price"/> at its date (replacing one stored for that date), unless it only
    /// repeats the price in force just before it, configured or stored: a sync job that PUTs an unchanged price every
    /// minute would otherwise add 1,440 entries a day. The configured prices count (a price PUT again after a deploy
    /// changed the configured one is a change), and so does a configured entry at the same date, which it overrides.
    /// </summary>
    private static ModelPrice[] Merge(List<HashEntry> spellings, ModelPrice price, IReadOnlyList<ModelPrice> configured)
    {
        var stored = spellings
            .SelectMany(e => JsonSerializer.Deserialize((string)e.Value!, GatewayJsonContext.Default.ModelPriceArray) ?? [])
            .Where(p => p.EffectiveFrom != price.EffectiveFrom)
            .GroupBy(p => p.EffectiveFrom)
            .Select(g => g.Last())
            .ToList();

        // As the table merges them: a stored price wins its date over a configured one.
        var before = configured.Concat(stored)
            .Where(p => p.EffectiveFrom < price.EffectiveFrom)
            .GroupBy(p => p.EffectiveFrom)
            .Select(g => g.Last())
            .MaxBy(p => p.EffectiveFrom);
        var repeats = before is not null && SamePrice(before, price) && !configured.Any(p => p.EffectiveFrom == price.EffectiveFrom);
        return [.. (repeats ? stored : stored.Append(price)).OrderBy(p => p.EffectiveFrom)];
    }

    private static bool SamePrice(ModelPrice a, ModelPrice b) =>
        a.InputPerMillion == b.InputPerMillion && a.CachedInputPerMillion == b.CachedInputPerMillion && a.OutputPerMillion == b.OutputPerMillion
        && a.AudioInputPerMillion == b.AudioInputPerMillion && a.AudioOutputPerMillion == b.AudioOutputPerMillion;

    public async Task LoadAsync()
    {
        // One read and apply at a time: the poll's read, sent before a PUT committed and applied after the PUT's own,
        // would put the old prices back until the next poll.
        await _loading.WaitAsync();
        try
        {
            var entries = await store.Database.HashGetAllAsync(Key);
            // Not a dictionary: two fields that differ only in case (written before AddAsync matched names) are merged
            // by the table, never a duplicate key that would stop every instance's poll.
            pricing.ApplyOverrides(entries.Select(e => KeyValuePair.Create(
                (string)e.Name!,
                JsonSerializer.Deserialize((string)e.Value!, GatewayJsonContext.Default.ModelPriceArray) ?? [])));
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// A first load before the server takes traffic: a model priced only at runtime would otherwise be unpriced for
    /// the first requests after a start (refused under <c>RefuseUnpricedModels</c>, or billed as unknown). A store that
    /// is down does not stop the start: the poll tries again every second.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await TryLoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await TryLoadAsync(stoppingToken);
        }
    }

    private async Task TryLoadAsync(CancellationToken stoppingToken)
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
}
