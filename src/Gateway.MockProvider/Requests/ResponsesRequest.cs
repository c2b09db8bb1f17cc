using System.Text.Json;
using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Requests;

/// <summary>
/// Minimal Responses API request: <c>input</c> as a string (one user message) or a message list. Its <c>tools</c> and
/// <c>text</c> are kept as given, for the response to echo as OpenAI's does.
/// </summary>
internal sealed record ResponsesRequest(
    string Model, string? Instructions, IReadOnlyList<PromptMessage> Input, bool Stream, int? MaxOutputTokens, JsonElement? Tools, JsonElement? Text)
{
    public static ResponsesRequest Parse(JsonElement body) => new(
        RequestJson.Model(body, deployment: null),
        RequestJson.OptionalString(body, "instructions"),
        RequestJson.Property(body, "input") switch
        {
            { ValueKind: JsonValueKind.String } text => [new PromptMessage("user", text.GetString()!)],
            { ValueKind: JsonValueKind.Array } items => RequestJson.Messages(items, "input"),
            _ => throw new InvalidRequestException("'input' is required and must be a string or an array of messages."),
        },
        RequestJson.OptionalBool(body, "stream"),
        RequestJson.OptionalPositiveInt(body, "max_output_tokens"),
        RequestJson.Property(body, "tools") is { ValueKind: JsonValueKind.Array } tools ? tools.Clone() : null,
        RequestJson.Property(body, "text") is { ValueKind: JsonValueKind.Object } format ? format.Clone() : null);

    /// <summary><c>instructions</c> play the system role; a system message in <c>input</c> is the fallback.</summary>
    public string? SystemText => Instructions ?? PromptMessage.FirstText(Input, "system");
}
