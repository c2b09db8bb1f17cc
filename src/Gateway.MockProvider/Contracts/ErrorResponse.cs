namespace LlmGateway.MockProvider.Contracts;

internal sealed record ErrorResponse(ErrorDetail Error);
