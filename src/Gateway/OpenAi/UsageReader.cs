using System.Text.Json;

namespace LlmGateway.OpenAi;

/// <summary>Reads an OpenAI <c>usage</c> object (chat and Responses spellings) positioned at its start.</summary>
internal static class UsageReader
{
    public static OpenAiUsage Read(ref Utf8JsonReader reader)
    {
        int? input = null, output = null, cached = null, reasoning = null, total = null, audioInput = null, audioOutput = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                input = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                output = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                total = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                var (found, audio) = ReadDetails(ref reader, "cached_tokens"u8);
                cached = found ?? cached;
                audioInput = audio ?? audioInput;
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
            {
                reader.Read();
                var (found, audio) = ReadDetails(ref reader, "reasoning_tokens"u8);
                reasoning = found ?? reasoning;
                audioOutput = audio ?? audioOutput;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new OpenAiUsage(input, output, cached, reasoning, total, audioInput, audioOutput);
    }

    private static int? ReadInt(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            return null;
        }

        // A count written as 5.0 or 1.2e3 is still the provider's count (a JSON number; some serializers write floats),
        // read as an integer one is (a negative one too, which the accountant bills as 0, either way it is written).
        return reader.TryGetInt32(out var value) ? value
            : reader.TryGetDouble(out var number) && number >= int.MinValue && number <= int.MaxValue && number == Math.Floor(number) ? (int)number
            : null;
    }

    /// <summary>A details object's <paramref name="name"/> and its <c>audio_tokens</c> (billed at the audio price, when the model has one).</summary>
    private static (int? Found, int? Audio) ReadDetails(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (null, null);
        }

        int? found = null, audio = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                found = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("audio_tokens"u8))
            {
                audio = ReadInt(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (found, audio);
    }
}
