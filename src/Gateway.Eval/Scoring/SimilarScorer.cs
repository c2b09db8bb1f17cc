namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>similar</c>: the cosine similarity between the embeddings of the output and of the value (or the case's
/// expected output) is at least the threshold (default 0.8). Score = similarity clamped to [0, 1].
/// </summary>
internal sealed class SimilarScorer(IEmbeddingClient? embeddings) : IScorer
{
    public const double DefaultThreshold = 0.8;

    public string Name => "similar";

    public async ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (embeddings is null)
        {
            return ScoreResult.Errored("similar needs an embedding client, and none is configured");
        }

        if (!AssertionValue.TryGetReference(assertion.Value, input, out var reference))
        {
            return ScoreResult.Errored("similar needs a reference string value or the case's expected output");
        }

        var threshold = assertion.Threshold ?? DefaultThreshold;
        if (threshold is < 0 or > 1)
        {
            return ScoreResult.Errored($"similar threshold must be in [0, 1], got {AssertionValue.Number(threshold)}");
        }

        float[] expected;
        float[] actual;
        try
        {
            expected = await embeddings.EmbedAsync(reference, cancellationToken).ConfigureAwait(false);
            actual = await embeddings.EmbedAsync(input.Output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything but our own cancellation (including an HTTP timeout) means "could not score".
            return ScoreResult.Errored($"embedding failed: {ex.GetType().Name}: {ex.Message}");
        }

        if (Cosine(actual, expected) is not { } similarity)
        {
            return ScoreResult.Errored(
                $"embeddings are not comparable (lengths {actual.Length} and {expected.Length}, or a zero vector)");
        }

        var verdict = similarity >= threshold ? ">=" : "<";
        return ScoreResult.Of(
            similarity >= threshold,
            Math.Clamp(similarity, 0, 1),
            $"cosine similarity {AssertionValue.Number(similarity)} {verdict} {AssertionValue.Number(threshold)} to {AssertionValue.Quote(reference)}");
    }

    /// <summary>Cosine similarity in double precision; null when the vectors differ in length or either is zero.</summary>
    public static double? Cosine(float[] a, float[] b)
    {
        if (a.Length != b.Length || a.Length == 0)
        {
            return null;
        }

        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            normA += (double)a[i] * a[i];
            normB += (double)b[i] * b[i];
        }

        if (normA == 0 || normB == 0 || !double.IsFinite(dot))
        {
            return null;
        }

        return Math.Clamp(dot / (Math.Sqrt(normA) * Math.Sqrt(normB)), -1, 1);
    }
}
