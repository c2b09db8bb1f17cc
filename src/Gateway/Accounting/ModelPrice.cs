namespace LlmGateway.Accounting;

/// <summary>
/// One price of a model from <see cref="EffectiveFrom"/> until the next entry takes over: a price
/// change adds an entry, so requests keep the price of their own time.
/// </summary>
internal sealed class ModelPrice
{
    public DateTimeOffset EffectiveFrom { get; set; }

    public decimal InputPerMillion { get; set; }

    /// <summary>Price of prompt tokens served from the provider's cache; the input price when unset.</summary>
    public decimal? CachedInputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}
