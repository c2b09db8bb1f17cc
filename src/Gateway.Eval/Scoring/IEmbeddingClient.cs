namespace LlmGateway.Eval.Scoring;

/// <summary>Computes text embeddings, typically through the gateway's embeddings endpoint.</summary>
public interface IEmbeddingClient
{
    /// <summary>The embedding model; vectors from different models are not comparable, so caches key on it.</summary>
    string Model { get; }

    /// <summary>Embeds <paramref name="text"/>.</summary>
    Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken);
}
