using System.Text.Json.Serialization;

namespace LlmGateway.Admin;

/// <summary>
/// The body of <c>PUT /admin/v1/pricing/{model}</c>, read strictly: both prices are required (an empty or misspelt
/// body would otherwise price the model at 0, and every spend limit on it would stop counting). The audio prices are
/// optional: without them a request that reports audio tokens has an unknown cost.
/// </summary>
internal sealed record PriceRequest(
    [property: JsonPropertyName("effective_from")] DateTimeOffset? EffectiveFrom,
    [property: JsonPropertyName("input_per_million")] decimal? InputPerMillion,
    [property: JsonPropertyName("cached_input_per_million")] decimal? CachedInputPerMillion,
    [property: JsonPropertyName("output_per_million")] decimal? OutputPerMillion,
    [property: JsonPropertyName("audio_input_per_million")] decimal? AudioInputPerMillion = null,
    [property: JsonPropertyName("audio_output_per_million")] decimal? AudioOutputPerMillion = null);
