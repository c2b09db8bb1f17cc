using System.Globalization;
using System.Text.Json;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Requests;

internal sealed record EmbeddingRequest(string Model, IReadOnlyList<EmbeddingInput> Inputs, int? Dimensions, bool Base64)
{
    private const string InputShape = "'input' must be a string, an array of strings, a token array or an array of token arrays.";

    public static EmbeddingRequest Parse(JsonElement body, string? deployment) => new(
        RequestJson.Model(body, deployment),
        ReadInputs(RequestJson.Property(body, "input")),
        RequestJson.OptionalPositiveInt(body, "dimensions"),
        RequestJson.OptionalString(body, "encoding_format") switch
        {
            null or "float" => false,
            "base64" => true,
            var other => throw new InvalidRequestException($"'encoding_format' must be 'float' or 'base64', got '{other}'."),
        });

    private static List<EmbeddingInput> ReadInputs(JsonElement? input)
    {
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } text:
                return [new EmbeddingInput(text.GetString()!, KnownTokenCount: null)];
            case { ValueKind: JsonValueKind.Array } items when items.GetArrayLength() > 0:
                // A flat number array is a single pre-tokenized input.
                if (items[0].ValueKind == JsonValueKind.Number)
                {
                    return [FromTokens(items)];
                }

                return items.EnumerateArray().Select(item => item.ValueKind switch
                {
                    JsonValueKind.String => new EmbeddingInput(item.GetString()!, KnownTokenCount: null),
                    JsonValueKind.Array => FromTokens(item),
                    _ => throw new InvalidRequestException(InputShape),
                }).ToList();
            default:
                throw new InvalidRequestException(InputShape);
        }
    }

    private static EmbeddingInput FromTokens(JsonElement tokens)
    {
        var ids = tokens.EnumerateArray()
            .Select(token => token.ValueKind == JsonValueKind.Number && token.TryGetInt32(out var id) ? id : throw new InvalidRequestException(InputShape))
            .ToList();

        // Prefixed so a token array never hashes like a string input with the same characters.
        return new EmbeddingInput("tokens:" + string.Join(',', ids.Select(id => id.ToString(CultureInfo.InvariantCulture))), ids.Count);
    }
}
