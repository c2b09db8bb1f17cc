namespace LlmGateway.MockProvider.Contracts;

internal sealed record ResponseOutputMessage(
    string Type,
    string Id,
    string Status,
    string Role,
    IReadOnlyList<ResponseOutputText> Content);
