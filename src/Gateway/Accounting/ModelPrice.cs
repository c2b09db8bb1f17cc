namespace LlmGateway.Accounting;

/// <summary>
/// One price of a model from <see cref="EffectiveFrom"/> until the next entry takes over: a price
/// change adds an entry, so requests keep the price of their own time.
/// </summary>
internal sealed class ModelPrice
{
    [System.Text.Json.Serialization.JsonPropertyName("effective_from")]
    public DateTimeOffset EffectiveFrom { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("input_per_million")]
    public decimal InputPerMillion { get; set; }

    /// <summary>Price of prompt tokens served from the provider's cache; the input price when unset.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("cached_input_per_million")]
    public decimal? CachedInputPerMillion { get; set; }

    [System.Text.Json.Serialization.JsonPropertyName("output_per_million")]
    public decimal OutputPerMillion { get; set; }
}
