using System.Buffers;
using System.Text.Json;

namespace LlmGateway.OpenAi;

/// <summary>
/// The usage of a JSON body too large to keep whole (a long answer with log probabilities, say), read from its last
/// bytes: OpenAI's chat, completions and Responses bodies end with their top-level <c>usage</c> object. A quote inside a
/// JSON string is always escaped, so an unescaped <c>"usage"</c> followed by a colon and an object is a real key.
/// </summary>
internal static class JsonTailUsage
{
    /// <summary>How much of a body's end is kept for this: far more than a usage object and what follows it.</summary>
    public const int TailBytes = 64 * 1024;

    private const int MaxUsageBytes = 4 * 1024;

    private static ReadOnlySpan<byte> Key => "\"usage\""u8;

    /// <summary>Reads the last whole <c>"usage": {…}</c> of <paramref name="tail"/> into <paramref name="reader"/>; false when there is none.</summary>
    /// <param name="calls">The body's call items' types (<see cref="JsonCallItemScanner"/>), read with the usage as its <c>output</c>.</param>
    public static bool TryRead(ReadOnlySpan<byte> tail, OpenAiResponseReader reader, IReadOnlyList<string>? calls = null)
    {
        var found = TryFind(tail, out var usage);
        if (!found && calls is not { Count: > 0 })
        {
            return false;
        }

        // Read as the body it came from would be: {"output": [{"type": …}, …], "usage": …}, in one parse.
        var buffer = new ArrayBufferWriter<byte>(usage.Length + 64 + (32 * (calls?.Count ?? 0)));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (calls is { Count: > 0 })
            {
                writer.WriteStartArray("output"u8);
                foreach (var type in calls)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, type);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (found)
            {
                writer.WritePropertyName("usage"u8);
                writer.WriteRawValue(usage, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return (reader.ReadJson(buffer.WrittenSpan) & OpenAiEventFlags.Malformed) == 0 && found;
    }

    /// <summary>
    /// The last whole usage object in <paramref name="tail"/>, braces included. A later <c>"usage"</c> that is a string
    /// value, or a key with a string value (the client's <c>metadata</c> and <c>user</c>, after the body's own usage in a
    /// Responses body), is passed over; a key with any other value ends the search.
    /// </summary>
    internal static bool TryFind(ReadOnlySpan<byte> tail, out ReadOnlySpan<byte> usage)
    {
        usage = default;
        for (var at = tail.LastIndexOf(Key); at >= 0; at = tail[..at].LastIndexOf(Key))
        {
            if (IsEscaped(tail, at))
            {
                continue;
            }

            var after = tail[(at + Key.Length)..].TrimStart(" \t\r\n"u8);
            if (!after.StartsWith(":"u8) || after[1..].TrimStart(" \t\r\n"u8).StartsWith("\""u8))
            {
                // A string "usage" (a value: "purpose":"usage"), or a key whose value is a string (a client's metadata):
                // never the body's usage; look further back.
                continue;
            }

            // The body's own usage, or nothing: an earlier object named "usage" (a tool's schema echoed in a Responses
            // body whose usage is null) is not the usage.
            return TryObjectAfter(tail[(at + Key.Length)..], out usage);
        }

        return false;
    }

    /// <summary>After a key: a colon, then a whole object (the usage).</summary>
    private static bool TryObjectAfter(ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> usage)
    {
        usage = default;
        rest = rest.TrimStart(" \t\r\n"u8);
        if (rest.IsEmpty || rest[0] != (byte)':')
        {
            return false;
        }

        rest = rest[1..].TrimStart(" \t\r\n"u8);
        if (rest.IsEmpty || rest[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            var json = new Utf8JsonReader(rest, new JsonReaderOptions { MaxDepth = 8 });
            if (!json.Read() || !json.TrySkip() || json.BytesConsumed > MaxUsageBytes)
            {
                return false;
            }

            usage = rest[..(int)json.BytesConsumed];
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether the quote at <paramref name="quote"/> is escaped: an odd run of backslashes before it.</summary>
    private static bool IsEscaped(ReadOnlySpan<byte> text, int quote)
    {
        var backslashes = 0;
        for (var i = quote - 1; i >= 0 && text[i] == (byte)'\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }
}
