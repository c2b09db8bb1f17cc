using System.Net;
using System.Text;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Running;

/// <summary>The embedding client and the judge call the gateway like any app: bearer key, catalog model, OpenAI shapes.</summary>
public sealed class GatewayScoringClientsTests
{
    private static readonly Uri Gateway = new("http://127.0.0.1:8080/");

    [Fact]
    public async Task Embeddings_come_from_the_gateways_endpoint_with_the_configured_model()
    {
        using var handler = new GatewayCaseExecutorTests.StubHandler(_ =>
            Json("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25,1]}],"model":"text-embedding-3-small"}"""));
        using var http = new HttpClient(handler);
        var client = new GatewayEmbeddingClient(http, Gateway, "gwk_eval", "text-embedding-3-small");

        var vector = await client.EmbedAsync("hello", TestContext.Current.CancellationToken);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal([0.5f, -0.25f, 1f], vector);
        Assert.Equal("http://127.0.0.1:8080/v1/embeddings", sent.Uri.ToString());
        Assert.Equal("Bearer gwk_eval", sent.Headers["Authorization"]);
        Assert.Contains("\"model\":\"text-embedding-3-small\"", sent.Body, StringComparison.Ordinal);
        Assert.Equal("text-embedding-3-small", client.Model);
    }

    [Fact]
    public async Task A_failed_embedding_call_throws_so_similar_reports_an_error_not_a_pass()
    {
        using var handler = new GatewayCaseExecutorTests.StubHandler(_ => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("{}") });
        using var http = new HttpClient(handler);
        var registry = ScorerRegistry.CreateDefault(new GatewayEmbeddingClient(http, Gateway, "k", "nope"));

        var result = await registry.ScoreAsync(AssertionSpec.Parse("""{"type":"similar","value":"hello"}"""), new ScoringInput { Output = "hello" }, TestContext.Current.CancellationToken);

        Assert.False(result.Pass);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task The_judge_asks_for_strict_json_at_temperature_0_and_returns_the_reply()
    {
        using var handler = new GatewayCaseExecutorTests.StubHandler(_ =>
            Json("""{"choices":[{"index":0,"message":{"role":"assistant","content":"{\"pass\":true,\"score\":0.9,\"reason\":\"polite\"}"},"finish_reason":"stop"}]}"""));
        using var http = new HttpClient(handler);
        var registry = ScorerRegistry.CreateDefault(judge: new GatewayLlmJudge(http, Gateway, "k", "gpt-4o"));

        var result = await registry.ScoreAsync(AssertionSpec.Parse("""{"type":"llm-rubric","value":"is polite"}"""), new ScoringInput { Output = "Thank you!" }, TestContext.Current.CancellationToken);

        Assert.True(result.Pass, result.Reason);
        Assert.Equal(0.9, result.Score, 3);
        var body = Assert.Single(handler.Requests).Body;
        Assert.Contains("\"temperature\":0", body, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"gpt-4o\"", body, StringComparison.Ordinal);
        Assert.Contains("is polite", body, StringComparison.Ordinal);
    }

    private static HttpResponseMessage Json(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
