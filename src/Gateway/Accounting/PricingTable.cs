using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace LlmGateway.Accounting;

/// <summary>
/// Prices by model and date, frozen at start-up. Cost is a <see cref="decimal"/>; a model without a
/// price has an unknown cost (null), never 0, so a missing price cannot pass for a free request.
/// </summary>
internal sealed class PricingTable
{
    private readonly FrozenDictionary<string, ModelPrice[]> _configured;
    private FrozenDictionary<string, ModelPrice[]> _prices;
    private readonly decimal _priorityFactor;
    private readonly FrozenDictionary<string, decimal> _toolCalls;

    public PricingTable(IOptions<PricingOptions> options)
        : this(options.Value)
    {
    }

    public PricingTable(PricingOptions options)
    {
        Currency = options.Currency;
        _priorityFactor = options.PriorityTierFactor;
        _toolCalls = options.ToolCalls.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _configured = options.Models.ToFrozenDictionary(
            m => m.Key,
            m => m.Value.OrderBy(p => p.EffectiveFrom).ToArray(),
            StringComparer.OrdinalIgnoreCase);
        _prices = _configured;
    }

    /// <summary>The prices <c>config/pricing.json</c> gives <paramref name="model"/>, by date (none: empty).</summary>
    public IReadOnlyList<ModelPrice> ConfiguredPrices(string model) => _configured.TryGetValue(model, out var prices) ? prices : [];

    /// <summary>Every model's prices over time: the configured ones plus runtime overrides.</summary>
    public IReadOnlyDictionary<string, ModelPrice[]> All => Volatile.Read(ref _prices);

    /// <summary>
    /// Merges prices added at runtime (admin API) with the configured ones and swaps the table.
    /// An override is one more dated entry: history keeps the old price for old requests.
    /// </summary>
    /// <param name="overrides">Per model name, its dated prices; names that differ only in case are one model (merged).</param>
    public void ApplyOverrides(IEnumerable<KeyValuePair<string, ModelPrice[]>> overrides)
    {
        var merged = new Dictionary<string, ModelPrice[]>(_configured, StringComparer.OrdinalIgnoreCase);
        foreach (var (model, prices) in overrides)
        {
            merged[model] = [.. (merged.GetValueOrDefault(model) ?? []).Concat(prices).GroupBy(p => p.EffectiveFrom).Select(g => g.Last()).OrderBy(p => p.EffectiveFrom)];
        }

        Volatile.Write(ref _prices, merged.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
    }

    public string Currency { get; }

    /// <summary>The price in force for <paramref name="model"/> at <paramref name="at"/>, if any.</summary>
    public ModelPrice? PriceAt(string model, DateTimeOffset at)
    {
        if (!Volatile.Read(ref _prices).TryGetValue(model, out var history))
        {
            return null;
        }

        // The history is sorted by date and read on every request's cost: a binary search for the last entry in force.
        var low = 0;
        var high = history.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (history[mid].EffectiveFrom <= at)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low == 0 ? null : history[low - 1];
    }

    /// <summary>What one call of a tool the provider runs (<c>web_search</c>, …) costs; null when it has no price.</summary>
    public decimal? ToolCallPrice(string tool) => _toolCalls.TryGetValue(tool, out var price) ? price : null;

    /// <summary>
    /// The calls' fees added to <paramref name="cost"/>: unknown (null) when the cost is, or when a call's tool has no price.
    /// </summary>
    public decimal? WithToolCalls(decimal? cost, IReadOnlyCollection<string> tools)
    {
        foreach (var tool in tools)
        {
            cost = cost is { } c && ToolCallPrice(tool) is { } fee ? c + fee : null;
        }

        return cost;
    }

    /// <summary>
    /// The cost of <paramref name="usage"/> at the price in force at <paramref name="at"/>; null when unknown: the model has
    /// no price, or the usage has audio tokens and the model no audio price for them (the text price would be a fraction
    /// of what the provider bills).
    /// </summary>
    /// <param name="priorityTier">The request asked for <c>"service_tier": "priority"</c>: priced at <see cref="PricingOptions.PriorityTierFactor"/> times.</param>
    public decimal? Cost(string model, DateTimeOffset at, TokenUsage usage, bool priorityTier = false)
    {
        if (PriceAt(model, at) is not { } price)
        {
            return null;
        }

        // Audio is a part of the input and of the output, priced apart.
        var audioInput = Math.Clamp(usage.AudioInputTokens, 0, usage.InputTokens);
        var audioOutput = Math.Clamp(usage.AudioOutputTokens, 0, usage.OutputTokens);
        if ((audioInput > 0 && price.AudioInputPerMillion is null) || (audioOutput > 0 && price.AudioOutputPerMillion is null))
        {
            return null;
        }

        // Which of the cached tokens were audio is not reported: audio is billed at its own price first, and only the
        // rest of the input can be the cheaper cached text (never billed below what the provider charges).
        var cached = Math.Min(usage.CachedInputTokens, usage.InputTokens - audioInput);
        var uncached = usage.InputTokens - audioInput - cached;
        var cost = ((uncached * price.InputPerMillion)
            + (cached * (price.CachedInputPerMillion ?? price.InputPerMillion))
            + (audioInput * (price.AudioInputPerMillion ?? 0))
            + ((usage.OutputTokens - audioOutput) * price.OutputPerMillion)
            + (audioOutput * (price.AudioOutputPerMillion ?? 0))) / 1_000_000m;
        return priorityTier ? cost * _priorityFactor : cost;
    }
}
