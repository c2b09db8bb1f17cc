using System.Text.Json;
using LlmGateway.Proxy;

namespace LlmGateway.Budgets;

/// <summary>
/// Whether a request asks for spoken output (<c>"modalities": ["text", "audio"]</c>): its output is reserved at the
/// model's audio output price, up to eight times the text price.
/// </summary>
internal static class AudioOutput
{
    /// <summary>Reads only the <c>modalities</c> value, found by the one scan's offsets; the rest of the body is not read again.</summary>
    public static bool IsAsked(ReadOnlySpan<byte> body, RequestScan scan)
    {
        foreach (var property in scan.Properties)
        {
            if (property.Field == TopLevelField.Other && property.NameIs(body, "modalities"u8))
            {
                return HoldsAudio(body[property.ValueStart..property.End]);
            }
        }

        return false;
    }

    private static bool HoldsAudio(ReadOnlySpan<byte> modalities)
    {
        try
        {
            var reader = new Utf8JsonReader(modalities, RequestBodyScanner.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("audio"u8))
                {
                    return true;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The body was validated before: nothing here is unreadable.
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid text (a lone surrogate escape), which comparing it unescapes: not "audio".
        }

        return false;
    }
}
