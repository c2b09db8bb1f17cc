using System.Text.Json;

namespace LlmGateway.Streaming;

/// <summary>
/// Recognises the chunk OpenAI sends for <c>include_usage</c>: <c>"choices": []</c> with a
/// <c>usage</c> object. Naive clients break on its empty choices, so it is removed when the
/// gateway, not the client, asked for it.
/// </summary>
internal static class UsageOnlyChunk
{
    public static bool Is(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd("\r\n"u8);
        if (!line.StartsWith("data:"u8))
        {
            return false;
        }

        var payload = line[5..].TrimStart((byte)' ');
        if (payload.IsEmpty || payload[0] != (byte)'{')
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(payload);
            reader.Read();
            bool emptyChoices = false, hasUsage = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    emptyChoices = reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.EndArray;
                    if (!emptyChoices)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    hasUsage = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return emptyChoices && hasUsage;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
