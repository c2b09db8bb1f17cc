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

    public static string Extract(ReadOnlySpan<byte> body, out RequestTextShape shape) => Extract(body, out shape, out _);

    /// <summary>
    /// The text, how many messages (chat <c>messages</c> or Responses <c>input</c> items with a role) carry it, how
    /// many body bytes its strings took (the rest of the body bounds what it missed), and the images it sends.
    /// </summary>
    /// <param name="definitions">
    /// Where the body holds, found in the same pass, what else the model reads: the tools' and functions' definitions and
    /// the output schema (<c>tools</c>, <c>functions</c>, <c>response_format</c>, the Responses API's <c>text</c> object);
    /// null when it has none. Providers bill them as input; they are not text, so not in
    /// <see cref="RequestTextShape.TextBytes"/>.
    /// </param>
    public static string Extract(ReadOnlySpan<byte> body, out RequestTextShape shape, out List<Range>? definitions)
    {
        definitions = null;
        var text = new StringBuilder();
        shape = default;
        try
        {
            var reader = new Utf8JsonReader(body, RequestBodyScanner.ReaderOptions);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("role"u8))
                {
                    shape.Messages++;
                }
                else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && IsDefinition(ref reader, out var isText))
                {
                    reader.Read();
                    if (isText && reader.TokenType != JsonTokenType.StartObject)
                    {
                        AppendText(ref reader, text, ref shape);
                        continue;
                    }

                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    (definitions ??= []).Add(start..(int)reader.BytesConsumed);
                }
                else if (reader.TokenType == JsonTokenType.PropertyName
                    && ((reader.CurrentDepth <= 3
                            && (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("prompt"u8)
                                || reader.ValueTextEquals("input"u8) || reader.ValueTextEquals("instructions"u8) || reader.ValueTextEquals("refusal"u8)))
                        // Chat's messages are items as the Responses API's input is: each read whole (an earlier turn's
                        // tool calls, their names and arguments, a message's name).
                        || (reader.CurrentDepth == 1 && reader.ValueTextEquals("messages"u8))))
                {
                    // Embeddings' input and the legacy completions' prompt may be token ids ([ids] or [[ids], …]).
                    var tokenIds = reader.CurrentDepth == 1 && (reader.ValueTextEquals("input"u8) || reader.ValueTextEquals("prompt"u8));
                    reader.Read();
                    AppendText(ref reader, text, ref shape, tokenIds);
                }
            }
        }
        catch (JsonException)
        {
            // The body was validated before forwarding; a failure here only makes the estimate smaller.
        }
        catch (InvalidOperationException)
        {
            // A property name that is not valid text (a lone surrogate escape), which comparing it unescapes: the walk
            // ends there, and the rest of the body bounds what it missed. Never a 500 for a body the provider reads.
        }

        return text.ToString();
    }

    /// <summary>
    /// A text-bearing value: a string is text; an array's strings are text (embedding inputs, prompt lists) and its
    /// objects are content parts or input items, read by <see cref="AppendParts"/>.
    /// </summary>
    /// <param name="tokenIds">
    /// The value is a top-level <c>input</c> or <c>prompt</c>, whose arrays' numbers are token ids (<see cref="RequestTextShape.TokenIds"/>);
    /// a number anywhere else (a score, a log probability's bytes) is not input.
    /// </param>
    private static void AppendText(ref Utf8JsonReader reader, StringBuilder text, ref RequestTextShape shape, bool tokenIds = false)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                Append(ref reader, text, ref shape);
                break;
            case JsonTokenType.StartArray:
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        AppendParts(ref reader, text, ref shape);
                    }
                    else if (reader.TokenType == JsonTokenType.Number)
                    {
                        shape.TokenIds += tokenIds ? 1 : 0;
                    }
                    else
                    {
                        AppendText(ref reader, text, ref shape, tokenIds);
                    }
                }

                break;
            case JsonTokenType.StartObject:
                AppendParts(ref reader, text, ref shape);
                break;
        }
    }

    /// <summary>
    /// One content part, message or input item, of any type (a replayed tool call, an MCP server's tool list, file
    /// search's results, a reasoning summary): every string the model reads. Ids, types, statuses, an image's detail and
    /// base64 data (encrypted reasoning, audio, a generated image) are not text, and an image (a URL, or its bytes as a
    /// base64 data URL) is counted as an image: its bytes read as text would bill a few hundred kilobytes of base64 as a
    /// hundred thousand tokens.
    /// </summary>
    private static void AppendParts(ref Utf8JsonReader reader, StringBuilder text, ref RequestTextShape shape)
    {
        // An object with an id and nothing else the model reads (no type, role or text) is an item reference too: the
        // Responses API takes {"id": "msg_…"} alone (its type is optional) and reads the stored item, which the body does
        // not show. A replayed message with an id and its role and content (as some SDKs send them) is read as text.
        var hasId = false;
        var hasType = false;
        var hasText = false;
        // A file named beside the text the object gives (a file search result's) is that text's source, not more input.
        var references = 0;
        var hasOwnText = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var field = Classify(ref reader);
            reader.Read();
            switch (field)
            {
                case Field.Id:
                    hasId = true;
                    reader.Skip();
                    break;
                case Field.Text:
                    hasText = true;
                    hasOwnText = true;
                    AppendText(ref reader, text, ref shape);
                    break;
                case Field.Other:
                    // Read, but not what makes an object more than a reference by id (a stored prompt's version).
                    AppendText(ref reader, text, ref shape);
                    break;
                case Field.Role:
                    hasText = true;
                    // A Responses input item with a role is a message (the main loop never sees it: this reads the item).
                    if (reader.CurrentDepth == 3)
                    {
                        shape.Messages++;
                    }

                    reader.Skip();
                    break;
                case Field.Image:
                    shape.Images++;
                    shape.ImageBytes += ValueBytes(ref reader);
                    break;
                case Field.Reference:
                    references++;
                    reader.Skip();
                    break;
                case Field.Type:
                    hasType = reader.TokenType == JsonTokenType.String;
                    if (hasType && reader.ValueTextEquals("item_reference"u8))
                    {
                        shape.References++;
                    }

                    reader.Skip();
                    break;
                case Field.File when reader.TokenType == JsonTokenType.StartObject:
                    // Chat's file part: {"type":"file","file":{"file_id"|"file_data", "filename"}}.
                    AppendParts(ref reader, text, ref shape);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!hasOwnText)
        {
            shape.References += references;
        }

        if (hasId && !hasType && !hasText)
        {
            shape.References++;
        }
    }

    // The bytes of a value's strings (an image's URL, as a string or inside its object), the value skipped past.
    private static int ValueBytes(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueSpan.Length;
        }

        var bytes = 0;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var depth = reader.CurrentDepth;
            while (reader.Read() && reader.CurrentDepth > depth)
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    bytes += reader.ValueSpan.Length;
                }
            }
        }

        return bytes;
    }

    // A top-level name whose value the model reads as definitions; "text" only as the Responses API's object.
    private static bool IsDefinition(ref Utf8JsonReader reader, out bool isText)
    {
        isText = reader.ValueTextEquals("text"u8);
        return isText || reader.ValueTextEquals("tools"u8) || reader.ValueTextEquals("functions"u8) || reader.ValueTextEquals("response_format"u8);
    }

    private static Field Classify(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("output"u8)
            || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("refusal"u8) ? Field.Text
        : reader.ValueTextEquals("image_url"u8) ? Field.Image
        // A file's bytes inline (file_data) are no bound on what the model reads from it: a PDF's pages are read as
        // images and its text from compressed streams, so an inline file counts as input the body does not show.
        : reader.ValueTextEquals("file_id"u8) || reader.ValueTextEquals("file_url"u8) || reader.ValueTextEquals("file_data"u8) ? Field.Reference
        : reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("role"u8) ? Field.Role
        : reader.ValueTextEquals("type"u8) ? Field.Type
        : reader.ValueTextEquals("file"u8) ? Field.File
        : IsNotText(ref reader) ? Field.NotText
        : Field.Other;

    // Names whose values the model does not read as text: other ids (call_id, tool_call_id, item_id, …), an item's
    // status, an image's detail, and base64 (encrypted reasoning, audio's data, an image generation's result).
    private static bool IsNotText(ref Utf8JsonReader reader) =>
        (!reader.ValueIsEscaped && reader.ValueSpan.EndsWith("_id"u8))
        || reader.ValueTextEquals("status"u8) || reader.ValueTextEquals("detail"u8) || reader.ValueTextEquals("encrypted_content"u8)
        || reader.ValueTextEquals("data"u8) || reader.ValueTextEquals("result"u8);

    private static void Append(ref Utf8JsonReader reader, StringBuilder text, ref RequestTextShape shape)
    {
        text.Append(TextOf(ref reader)).Append('\n');
        shape.TextBytes += reader.ValueSpan.Length;
    }

    /// <summary>
    /// A string's text. One that does not decode (a lone surrogate escape, as JavaScript's <c>JSON.stringify</c> writes
    /// text cut inside an emoji; providers accept it) counts as its raw bytes instead, which is never less than it.
    /// </summary>
    private static string TextOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    private enum Field
    {
        Other,
        Text,
        Image,
        Reference,
        Type,
        File,
        Id,
        Role,
        NotText,
    }
}
