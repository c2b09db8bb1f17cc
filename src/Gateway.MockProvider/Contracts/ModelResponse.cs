using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.MockProvider.Contracts;

/// <summary>Responses API result (<c>object: "response"</c>), echoing the request's <c>tools</c> and <c>text</c> when it had them.</summary>
internal sealed record ModelResponse(
    string Id,
    string Object,
    long CreatedAt,
    string Status,
    string Model,
    IReadOnlyList<ResponseOutputMessage> Output,
    ResponseUsage Usage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Tools = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Text = null);
