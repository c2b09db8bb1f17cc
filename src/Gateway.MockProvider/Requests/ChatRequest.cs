using System.Text.Json;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Requests;

internal sealed record ChatRequest(string Model, IReadOnlyList<PromptMessage> Messages, bool Stream, bool IncludeUsage, int? MaxTokens)
{
    public static ChatRequest Parse(JsonElement body, string? deployment)
    {
        var messages = RequestJson.Property(body, "messages") is { ValueKind: JsonValueKind.Array } array
            ? RequestJson.Messages(array, "messages")
            : throw new InvalidRequestException("'messages' is required and must be an array.");
        CheckResponseFormat(body);

        return new ChatRequest(
            RequestJson.Model(body, deployment),
            messages,
            RequestJson.OptionalBool(body, "stream"),
            RequestJson.IncludeUsage(body),
            RequestJson.OptionalPositiveInt(body, "max_completion_tokens") ?? RequestJson.OptionalPositiveInt(body, "max_tokens"));
    }

    /// <summary>A <c>response_format</c> of a type OpenAI does not know is refused as OpenAI refuses it, naming the field.</summary>
    private static void CheckResponseFormat(JsonElement body)
    {
        if (RequestJson.Property(body, "response_format") is not { } format)
        {
            return;
        }

        var type = format.ValueKind == JsonValueKind.Object ? RequestJson.OptionalString(format, "type") : null;
        if (type is not ("text" or "json_object" or "json_schema"))
        {
            throw new InvalidRequestException(
                $"Invalid value: '{type}'. Supported values are: 'text', 'json_object' and 'json_schema'.", "response_format.type", "invalid_value");
        }
    }
}
