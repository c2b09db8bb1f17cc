using System.Text.Json;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Requests;

/// <summary>Legacy completions request; an array prompt is treated as its strings joined by newlines.</summary>
internal sealed record CompletionRequest(string Model, string Prompt, bool Stream, bool IncludeUsage, int? MaxTokens)
{
    public static CompletionRequest Parse(JsonElement body, string? deployment) => new(
        RequestJson.Model(body, deployment),
        ReadPrompt(RequestJson.Property(body, "prompt")),
        RequestJson.OptionalBool(body, "stream"),
        RequestJson.IncludeUsage(body),
        RequestJson.OptionalPositiveInt(body, "max_tokens"));

    private static string ReadPrompt(JsonElement? prompt) => prompt switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString()!,
        { ValueKind: JsonValueKind.Array } parts when parts.EnumerateArray().All(part => part.ValueKind == JsonValueKind.String) =>
            string.Join('\n', parts.EnumerateArray().Select(part => part.GetString())),
        _ => throw new InvalidRequestException("'prompt' is required and must be a string or an array of strings."),
    };
}
