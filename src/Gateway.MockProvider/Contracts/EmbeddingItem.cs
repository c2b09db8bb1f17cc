namespace LlmGateway.MockProvider.Contracts;

internal sealed record EmbeddingItem<TVector>(string Object, int Index, TVector Embedding);
