namespace LlmGateway.MockProvider.Contracts;

internal sealed record EmbeddingUsage(int PromptTokens, int TotalTokens);
