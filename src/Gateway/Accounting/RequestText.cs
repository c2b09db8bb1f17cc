using System.Text;
using System.Text.Json;
using LlmGateway.Proxy;

namespace LlmGateway.Accounting;

/// <summary>
/// The text a request sends to the model (message contents, a prompt, or inputs), for estimating
/// prompt tokens (a budget's reservation, or billing when the provider reports none). Read at most
/// once per request, through <see cref="PromptTokenEstimate"/>.
/// </summary>
internal static class RequestText
{
    public static string Extract(ReadOnlySpan<byte> body) => Extract(body, out _, out _);

    /// <summary>
    /// The text, how many messages (chat <c>messages</c> or Responses <c>input</c> items with a role)
    /// carry it, and how many body bytes its strings took (the rest of the body bounds what it missed).
    /// </summary>
    public static string Extract(ReadOnlySpan<byte> body, out int messages, out int textBytes)
    {
        var text = new StringBuilder();
        messages = 0;
        textBytes = 0;
        try
        {
            var reader = new Utf8JsonReader(body, RequestBodyScanner.ReaderOptions);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("role"u8))
                {
                    messages++;
                }
                else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth <= 3
                    && (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("prompt"u8)
                        || reader.ValueTextEquals("input"u8) || reader.ValueTextEquals("instructions"u8)))
                {
                    reader.Read();
                    textBytes += AppendStrings(ref reader, text);
                }
            }
        }
        catch (JsonException)
        {
            // The body was validated before forwarding; a failure here only makes the estimate smaller.
        }

        return text.ToString();
    }

    private static int AppendStrings(ref Utf8JsonReader reader, StringBuilder text)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            text.Append(reader.GetString()).Append('\n');
            return reader.ValueSpan.Length;
        }

        var bytes = 0;

        if (reader.TokenType == JsonTokenType.StartArray)
        {
            var depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    text.Append(reader.GetString()).Append('\n');
                    bytes += reader.ValueSpan.Length;
                }
            }
        }

        return bytes;
    }
}
