namespace LlmGateway.MockProvider.Contracts;

/// <typeparam name="TVector"><c>float[]</c> for encoding_format=float, base64 <c>string</c> for encoding_format=base64.</typeparam>
internal sealed record EmbeddingList<TVector>(
    string Object,
    IReadOnlyList<EmbeddingItem<TVector>> Data,
    string Model,
    EmbeddingUsage Usage);
