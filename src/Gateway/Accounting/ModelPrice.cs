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

    /// <summary>
    /// Price of the audio part of the input (<c>prompt_tokens_details.audio_tokens</c>). Unset, a request that reports audio
    /// input has an unknown cost, as a model without a price does: never the text price, which is a sixteenth of gpt-4o's.
    /// </summary>
    [System.Text.Json.Serialization.JsonPropertyName("audio_input_per_million")]
    public decimal? AudioInputPerMillion { get; set; }

    /// <summary>Price of the audio part of the output (<c>completion_tokens_details.audio_tokens</c>); unset, as for audio input.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("audio_output_per_million")]
    public decimal? AudioOutputPerMillion { get; set; }
}
