using System.Collections.Concurrent;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Caches another client's embeddings for the lifetime of this instance (one evaluation run). A dataset compares
/// many outputs against the same few references, so most reference embeddings are requested repeatedly.
/// </summary>
/// <remarks>
/// Only successful results are cached, so a transient failure is retried on the next request. Two concurrent
/// requests for the same uncached text may both reach the inner client; that costs one extra call and keeps
/// cancellation per caller simple.
/// </remarks>
public sealed class CachingEmbeddingClient : IEmbeddingClient
{
    private readonly IEmbeddingClient _inner;

    // Keyed by model as well as text: if the inner client's model changes (a config reload), a vector from the old
    // model's space must never be compared with one from the new.
    private readonly ConcurrentDictionary<(string Model, string Text), float[]> _cache = new();

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CachingEmbeddingClient(IEmbeddingClient inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <inheritdoc />
    public string Model => _inner.Model;

    /// <summary>How many embeddings are cached.</summary>
    public int Count => _cache.Count;

    /// <inheritdoc />
    public async Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var key = (_inner.Model, text);
        if (_cache.TryGetValue(key, out var cached))
        {
            // Callers own the array they get; a copy keeps one caller's mutation out of everyone else's results.
            return (float[])cached.Clone();
        }

        var vector = await _inner.EmbedAsync(text, cancellationToken).ConfigureAwait(false);
        _cache.TryAdd(key, (float[])vector.Clone());
        return vector;
    }
}
