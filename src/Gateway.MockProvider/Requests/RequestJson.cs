using System.Text;
using System.Text.Json;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Requests;

/// <summary>Small, strict readers over request JSON; every violation becomes a 400 via <see cref="InvalidRequestException"/>.</summary>
internal static class RequestJson
{
    // Deeper than the gateway admits (128): a deep tool schema the gateway forwards is read, not refused here.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, DocumentOptions, request.HttpContext.RequestAborted);
        }
        catch (JsonException exception)
        {
            throw new InvalidRequestException($"We could not parse the JSON body of your request: {exception.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new InvalidRequestException("The request body must be a JSON object.");
        }

        return document;
    }

    /// <summary>The body's <c>model</c>, else the Azure deployment name from the path.</summary>
    public static string Model(JsonElement body, string? deployment) =>
        OptionalString(body, "model") ?? deployment ?? throw new InvalidRequestException("You must provide a model parameter.");

    public static string? OptionalString(JsonElement body, string name) => Property(body, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new InvalidRequestException($"'{name}' must be a string."),
    };

    public static bool OptionalBool(JsonElement body, string name) => Property(body, name) switch
    {
        null => false,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new InvalidRequestException($"'{name}' must be a boolean."),
    };

    public static int? OptionalPositiveInt(JsonElement body, string name) => Property(body, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) && number > 0 => number,
        _ => throw new InvalidRequestException($"'{name}' must be a positive integer."),
    };

    /// <summary>True when <c>stream_options.include_usage</c> is true.</summary>
    public static bool IncludeUsage(JsonElement body) => Property(body, "stream_options") switch
    {
        null => false,
        { ValueKind: JsonValueKind.Object } options => OptionalBool(options, "include_usage"),
        _ => throw new InvalidRequestException("'stream_options' must be an object."),
    };

    /// <summary>Present and non-null property, else null (JSON null counts as absent, as in the OpenAI API).</summary>
    public static JsonElement? Property(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>
    /// Text of a message's <c>content</c>: the string itself, or the concatenated <c>text</c> of its parts
    /// (non-text parts such as images contribute nothing). Null content (e.g. tool calls) is empty.
    /// </summary>
    public static string ContentText(JsonElement? content)
    {
        switch (content)
        {
            case null:
                return string.Empty;
            case { ValueKind: JsonValueKind.String } text:
                return Text(text);
            case { ValueKind: JsonValueKind.Array } parts:
                var builder = new StringBuilder();
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && Property(part, "text") is { ValueKind: JsonValueKind.String } partText)
                    {
                        builder.Append(Text(partText));
                    }
                }

                return builder.ToString();
            default:
                throw new InvalidRequestException("Message 'content' must be a string or an array of content parts.");
        }
    }

    /// <summary>Reads a list of role/content messages (chat <c>messages</c>, Responses <c>input</c>).</summary>
    public static List<PromptMessage> Messages(JsonElement array, string name)
    {
        var messages = new List<PromptMessage>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException($"Every item of '{name}' must be an object.");
            }

            // Items without a role (e.g. Responses function_call_output) carry no prompt text we model.
            if (OptionalString(item, "role") is { } role)
            {
                messages.Add(new PromptMessage(role, ContentText(Property(item, "content"))));
            }
        }

        return messages;
    }

    /// <summary>
    /// A message string's text. OpenAI reads one that does not decode (a lone surrogate escape, which JavaScript's
    /// <c>JSON.stringify</c> writes for text cut inside an emoji), so the mock reads it as written instead of failing.
    /// </summary>
    private static string Text(JsonElement text)
    {
        try
        {
            return text.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return text.GetRawText().Trim('"');
        }
    }
}
