using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LlmGateway.Eval.Datasets;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Hashes what a call depends on. Inputs are written as canonical JSON (object keys sorted, whitespace dropped), so
/// reformatting a dataset does not invalidate its cache while any change to a message or var does.
/// </summary>
internal static class CaseInputHash
{
    /// <summary>SHA-256 (hex) of the case's messages and vars.</summary>
    public static string Of(EvalCase evalCase)
    {
        ArgumentNullException.ThrowIfNull(evalCase);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (evalCase.Messages is { } messages)
            {
                writer.WritePropertyName("messages");
                WriteCanonical(writer, messages);
            }

            if (evalCase.Vars is { } vars)
            {
                writer.WriteStartObject("vars");
                foreach (var (name, value) in vars.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(name);
                    WriteCanonical(writer, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The cache key of a call: the pinned bundle, the input, and the seed.</summary>
    /// <param name="scope">
    /// What else changes the answer besides the request, e.g. <c>stream</c> for calls made through the SSE path, whose
    /// latency and billing differ; null for plain calls, so caches written before scopes existed stay valid.
    /// </param>
    public static string KeyFor(CaseRequest request, string inputHash, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = string.Join(
            '\n',
            "v1",
            request.Target.Name,
            request.Target.Version.ToString(CultureInfo.InvariantCulture),
            inputHash,
            request.Seed.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(scope))
        {
            text += "\nscope:" + scope;
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
