using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>Returns canned vectors per text and records every call.</summary>
internal sealed class FakeEmbeddingClient(Dictionary<string, float[]> vectors, string model = "fake-embed") : IEmbeddingClient
{
    public List<string> Calls { get; } = [];

    public string Model { get; set; } = model;

    public Exception? Failure { get; set; }

    public Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        Calls.Add(text);
        if (Failure is not null)
        {
            return Task.FromException<float[]>(Failure);
        }

        return vectors.TryGetValue(text, out var vector)
            ? Task.FromResult((float[])vector.Clone())
            : Task.FromException<float[]>(new KeyNotFoundException($"no vector for '{text}'"));
    }
}
