namespace LlmGateway.MockProvider.Contracts;

/// <summary>Responses API result (<c>object: "response"</c>).</summary>
internal sealed record ModelResponse(
    string Id,
    string Object,
    long CreatedAt,
    string Status,
    string Model,
    IReadOnlyList<ResponseOutputMessage> Output,
    ResponseUsage Usage);
