namespace LlmGateway.MockProvider.Contracts;

internal sealed record ResponseUsage(int InputTokens, int OutputTokens, int TotalTokens);
