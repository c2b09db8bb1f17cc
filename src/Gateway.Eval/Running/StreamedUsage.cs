using System.Text.Json;

namespace LlmGateway.Eval.Running;

/// <summary>
/// The accounting the gateway appends to a stream as the SSE comment <c>: gateway-usage {json}</c>, after the final
/// event (a streamed response has no cost headers: they were sent before the cost was known).
/// </summary>
/// <param name="CostUsd">Null when the gateway has no price for the model (<c>"cost_usd": null</c>), which is not zero.</param>
/// <param name="Cut">The provider's stream was cut or stalled after it started; what was generated was billed.</param>
internal sealed record StreamedUsage(long? InputTokens, long? OutputTokens, decimal? CostUsd, string? Source, bool Cut)
{
    /// <summary>The comment's name, after the colon that makes an SSE line a comment.</summary>
    public const string CommentName = "gateway-usage";

    /// <summary>Reads the comment's JSON; null when it is not a JSON object.</summary>
    public static StreamedUsage? Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new StreamedUsage(
                Int64(root, "input_tokens"),
                Int64(root, "output_tokens"),
                root.TryGetProperty("cost_usd", out var cost) && cost.ValueKind == JsonValueKind.Number && cost.TryGetDecimal(out var usd) ? usd : null,
                root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String ? source.GetString() : null,
                root.TryGetProperty("cut", out var cut) && cut.ValueKind == JsonValueKind.True);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long? Int64(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
}
