namespace LlmGateway.MockProvider.Contracts;

internal sealed record AssistantMessage(string Role, string Content);
