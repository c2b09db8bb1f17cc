using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>
/// One forward-only pass over the request body with <see cref="Utf8JsonReader"/>: it validates
/// the whole document and records where the top-level fields the gateway acts on are, so the
/// body is never parsed a second time.
/// </summary>
internal static class RequestBodyScanner
{
    private static ReadOnlySpan<byte> ModelProperty => "model"u8;

    private static ReadOnlySpan<byte> StreamProperty => "stream"u8;

    public static RequestScan Scan(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 128 });
        string? model = null;
        int modelStart = -1, modelLength = 0;
        var stream = false;
        try
        {
            if (!reader.Read())
            {
                return RequestScan.Invalid("the body is empty.");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return RequestScan.Invalid("the body must be a JSON object.");
            }

            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                if (reader.ValueTextEquals(ModelProperty))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        modelStart = (int)reader.TokenStartIndex;
                        modelLength = (int)reader.BytesConsumed - modelStart;
                        model = reader.GetString();
                    }
                    else
                    {
                        model = null;
                        modelStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        modelLength = (int)reader.BytesConsumed - modelStart;
                    }
                }
                else if (reader.ValueTextEquals(StreamProperty))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
            }

            // Reading to the end proves the document is complete and well formed.
            return new RequestScan(model, modelStart, modelLength, stream, null);
        }
        catch (JsonException ex)
        {
            return RequestScan.Invalid(Describe(ex));
        }
    }

    // The reader's message names a byte position, which helps the client find its mistake.
    private static string Describe(JsonException ex) =>
        ex.BytePositionInLine is { } position ? $"invalid JSON at line {ex.LineNumber + 1}, byte {position}." : "invalid JSON.";
}
