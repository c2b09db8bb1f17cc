using System.Security.Cryptography;
using System.Text.Json;

namespace LlmGateway.Prompts;

/// <summary>
/// A canonical form for hashing: object keys sorted ordinally, no whitespace, and the bundle's own optional fields left
/// out when null. Two bundles that mean the same thing get the same id whatever their key order. Inside the values the
/// gateway passes on as they are (a response format's schema, tools, stop, retrieval filters, assertions, thresholds) a
/// null is kept: <c>{"tenant": null}</c> filters on null, and is not the absent filter.
/// </summary>
internal static class CanonicalJson
{
    // The bundle's properties whose values are JSON of the author's (JsonElement in the contract), not the gateway's.
    private static readonly HashSet<string> AuthorsJson = ["thresholds", "assert", "stop", "response_format", "tools", "tool_choice", "filters"];

    public static string Sha256(JsonElement element)
    {
        using var buffer = new Proxy.PooledBuffer(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(element, writer, authors: false);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer, bool authors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().Where(p => authors || p.Value.ValueKind != JsonValueKind.Null).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, writer, authors || AuthorsJson.Contains(property.Name));
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer, authors);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
