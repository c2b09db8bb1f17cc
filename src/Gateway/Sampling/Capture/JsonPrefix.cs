using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmGateway.Sampling.Capture;

/// <summary>
/// Turns the first bytes of a JSON document (a request body cut at the capture cap) into a whole
/// document: every complete token is kept, the string being cut keeps what arrived of it, the marker
/// goes where the cut is, and the open objects and arrays are closed. So a capped sample still has
/// its model, its first messages and the start of a long one, and says where it was cut. Runs in
/// the sample writer, never on the request path.
/// </summary>
internal static class JsonPrefix
{
    // The longest tail that can leave a cut string undecodable: a split surrogate pair's escapes (12 bytes).
    private const int LongestBrokenTail = 12;

    /// <summary>
    /// Characters dropped before the marker from a string the cut went through: a secret the cut split (39 of an AWS
    /// secret's 40, a key's first few characters) no longer matches its pattern. The built-in key patterns match a key by
    /// its first 20–30 characters, so a longer key cut past those is still caught; a custom pattern that needs more than
    /// 64 characters may still leave a cut key's head.
    /// </summary>
    public const int SecretTail = 64;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The document that <paramref name="prefix"/> starts, closed after <paramref name="marker"/>; null
    /// when the prefix is not the start of a JSON object or array.
    /// </summary>
    /// <param name="secretTail">Characters of a cut string dropped before the marker (<see cref="SecretTail"/>).</param>
    public static JsonNode? Close(ReadOnlySpan<byte> prefix, string marker, int secretTail = SecretTail)
    {
        try
        {
            var output = new ArrayBufferWriter<byte>(prefix.Length + marker.Length + 256);
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                if (!Rewrite(prefix, marker, secretTail, writer))
                {
                    return null;
                }
            }

            return JsonNode.Parse(output.WrittenSpan);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // A string the reader cannot decode (a lone surrogate escape): keep nothing, as for any unreadable body.
            return null;
        }
    }

    private static bool Rewrite(ReadOnlySpan<byte> prefix, string marker, int secretTail, Utf8JsonWriter writer)
    {
        var reader = new Utf8JsonReader(prefix, isFinalBlock: false, state: default);
        var open = new Stack<bool>(); // true: an array
        var valueExpected = false;
        var started = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    writer.WriteStartObject();
                    open.Push(false);
                    started = true;
                    valueExpected = false;
                    break;
                case JsonTokenType.StartArray:
                    writer.WriteStartArray();
                    open.Push(true);
                    started = true;
                    valueExpected = false;
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    open.Pop();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    open.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    writer.WritePropertyName(reader.GetString()!);
                    valueExpected = true;
                    break;
                case JsonTokenType.String:
                    writer.WriteStringValue(reader.GetString());
                    valueExpected = false;
                    break;
                case JsonTokenType.Number:
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    valueExpected = false;
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                    valueExpected = false;
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    valueExpected = false;
                    break;
            }
        }

        if (!started)
        {
            return false;
        }

        if (open.Count > 0)
        {
            // What follows the last whole token: separators, then at most one unfinished token.
            var rest = prefix[(int)reader.BytesConsumed..].TrimStart(" \t\r\n,:"u8);
            if (valueExpected || open.Peek())
            {
                var cut = rest.Length > 0 && rest[0] == (byte)'"' ? PartialString(rest[1..]) : "";
                // The string's last characters go too: a secret the cut split would no longer match the redaction's
                // patterns, and be stored as it came.
                writer.WriteStringValue(cut[..Math.Max(0, cut.Length - secretTail)] + marker);
            }
            else
            {
                // A property name was cut: the marker takes its place.
                writer.WritePropertyName(marker);
                writer.WriteNullValue();
            }

            while (open.Count > 0)
            {
                if (open.Pop())
                {
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteEndObject();
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The text of a string whose closing quote was cut off: the raw bytes are closed and decoded,
    /// dropping a few trailing bytes when the cut split an escape or a UTF-8 sequence.
    /// </summary>
    private static string PartialString(ReadOnlySpan<byte> raw)
    {
        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        for (var dropped = 0; dropped <= Math.Min(LongestBrokenTail, raw.Length); dropped++)
        {
            var length = raw.Length - dropped;
            quoted[length + 1] = (byte)'"';
            var reader = new Utf8JsonReader(quoted.AsSpan(0, length + 2), isFinalBlock: true, state: default);
            try
            {
                if (reader.Read() && reader.TokenType == JsonTokenType.String && reader.BytesConsumed == length + 2)
                {
                    return reader.GetString()!;
                }
            }
            catch (JsonException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        return "";
    }
}
