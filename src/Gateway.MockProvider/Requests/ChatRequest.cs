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

        return new ChatRequest(
            RequestJson.Model(body, deployment),
            messages,
            RequestJson.OptionalBool(body, "stream"),
            RequestJson.IncludeUsage(body),
            RequestJson.OptionalPositiveInt(body, "max_completion_tokens") ?? RequestJson.OptionalPositiveInt(body, "max_tokens"));
    }
}
