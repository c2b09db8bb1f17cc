using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class SimilarScorerTests
{
    private static FakeEmbeddingClient Embeddings() => new(new Dictionary<string, float[]>
    {
        ["refund issued"] = [1, 0, 0],
        ["your money is on its way back"] = [0.9f, 0.1f, 0],
        ["the weather is nice"] = [0, 1, 0],
        ["opposite"] = [-1, 0, 0],
        ["silence"] = [0, 0, 0],
        ["short"] = [1, 0],
    });

    [Theory]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "your money is on its way back", Outcome.Pass)]
    [InlineData("""{"type":"similar","value":"refund issued","threshold":0.999}""", "your money is on its way back", Outcome.Fail)]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "the weather is nice", Outcome.Fail)]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "opposite", Outcome.Fail)]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "refund issued", Outcome.Pass)]
    [InlineData("""{"type":"not-similar","value":"refund issued"}""", "the weather is nice", Outcome.Pass)]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "silence", Outcome.Error)]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "short", Outcome.Error)]
    [InlineData("""{"type":"similar","value":"refund issued"}""", "no vector for this", Outcome.Error)]
    [InlineData("""{"type":"similar","value":"refund issued","threshold":1.5}""", "refund issued", Outcome.Error)]
    [InlineData("""{"type":"similar"}""", "refund issued", Outcome.Error)]
    public async Task Similar_compares_embeddings_by_cosine(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected, ScorerRegistry.CreateDefault(embeddings: Embeddings()));

    [Fact]
    public async Task The_score_is_the_cosine_similarity()
    {
        var registry = ScorerRegistry.CreateDefault(embeddings: Embeddings());

        var result = await ScoreAsync("""{"type":"similar","value":"refund issued"}""", "your money is on its way back", registry);

        Assert.Equal(0.9 / Math.Sqrt(0.82), result.Score, 5);
    }

    [Fact]
    public async Task Without_a_value_the_expected_output_is_the_reference() =>
        await AssertOutcomeAsync(
            """{"type":"similar"}""",
            Input("your money is on its way back") with { Expected = "refund issued" },
            Outcome.Pass,
            ScorerRegistry.CreateDefault(embeddings: Embeddings()));

    [Fact]
    public async Task Without_an_embedding_client_similar_is_an_error() =>
        await AssertOutcomeAsync("""{"type":"similar","value":"x"}""", "x", Outcome.Error);

    [Fact]
    public async Task A_failing_embedding_call_is_an_error()
    {
        var client = Embeddings();
        client.Failure = new HttpRequestException("503 from the gateway");

        var result = await AssertOutcomeAsync(
            """{"type":"similar","value":"refund issued"}""", "refund issued", Outcome.Error, ScorerRegistry.CreateDefault(embeddings: client));

        Assert.Contains("503", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_the_cache_a_shared_reference_is_embedded_once()
    {
        var inner = Embeddings();
        var registry = ScorerRegistry.CreateDefault(embeddings: new CachingEmbeddingClient(inner));
        var assertion = AssertionSpec.Parse("""{"type":"similar","value":"refund issued"}""");

        await registry.ScoreAsync(assertion, Input("your money is on its way back"), TestContext.Current.CancellationToken);
        await registry.ScoreAsync(assertion, Input("the weather is nice"), TestContext.Current.CancellationToken);

        Assert.Equal(["refund issued", "your money is on its way back", "the weather is nice"], inner.Calls);
    }
}
