using System.Security.Cryptography;
using System.Text.Json;

namespace LlmGateway.Prompts;

/// <summary>
/// A canonical form for hashing: object keys sorted ordinally, nulls dropped, no whitespace.
/// Two bundles that mean the same thing get the same id whatever their key order.
/// </summary>
internal static class CanonicalJson
{
    public static string Sha256(JsonElement element)
    {
        using var buffer = new Proxy.PooledBuffer(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(element, writer);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(property.Value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
