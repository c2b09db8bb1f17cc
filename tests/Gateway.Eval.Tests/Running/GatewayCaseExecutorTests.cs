using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Running;

public sealed class GatewayCaseExecutorTests
{
    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Your refund is on its way.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{\"id\":42}"}}]},"finish_reason":"stop"}]}
        """;

    private static readonly EvalCase Case = DatasetReader.Parse(
        Encoding.UTF8.GetBytes("""{"id":"a","vars":{"customer":"Ada","order":42},"messages":[{"role":"user","content":"Where is my refund?"}]}"""),
        "golden.jsonl").Cases[0];

    /// <summary>The version header the gateway sends with every prompt answer (version 4, as <see cref="Request"/> pins).</summary>
    private static readonly (string Name, string Value) Served = ("X-Prompt-Version", "4");

    private static CaseRequest Request(int version = 4) => new(new PromptTarget("support-reply", version), Case, 17);

    private static (GatewayCaseExecutor Executor, StubHandler Handler) Create(Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        var handler = new StubHandler(respond);
        var executor = new GatewayCaseExecutor(new HttpClient(handler), new GatewayExecutorOptions { BaseUrl = new Uri("http://gateway.test/"), ApiKey = "gk_eval" });
        return (executor, handler);
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Fact]
    public async Task It_pins_the_version_and_sends_the_case_as_a_prompt_call()
    {
        var (executor, handler) = Create(_ => Json(HttpStatusCode.OK, Completion, ("X-Prompt-Version", "4")));

        await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("http://gateway.test/v1/chat/completions", sent.Uri.ToString());
        Assert.Equal("4", sent.Headers["X-Prompt-Version"]);
        Assert.Equal("Bearer gk_eval", sent.Headers["Authorization"]);

        using var body = JsonDocument.Parse(sent.Body);
        var root = body.RootElement;
        Assert.Equal("prompt:support-reply", root.GetProperty("model").GetString());
        Assert.Equal("Where is my refund?", root.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("Ada", root.GetProperty("prompt_variables").GetProperty("customer").GetString());
        Assert.Equal(42, root.GetProperty("prompt_variables").GetProperty("order").GetInt32());
        Assert.Equal(17, root.GetProperty("seed").GetInt64());
        Assert.False(root.GetProperty("stream").GetBoolean());
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0,"message":{"role":"assistant","content":"half \ud83d here"}}]}""")]
    [InlineData("""{"choices":[{"index":0,"message":{"role":"assistant","content":"half \udc4b here"}}]}""")]
    public async Task A_lone_surrogate_escape_in_the_answer_is_a_replacement_character_not_a_failed_call(string body)
    {
        var (executor, _) = Create(_ => Json(HttpStatusCode.OK, body, Served));

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("half \uFFFD here", result.Output);
    }

    [Fact]
    public async Task Invalid_utf8_in_the_answer_is_a_replacement_character_not_a_failed_call()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"choices":[{"index":0,"message":{"role":"assistant","content":"bad X byte"}}]}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var (executor, _) = Create(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            response.Headers.TryAddWithoutValidation(Served.Name, Served.Value);
            return response;
        });

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("bad \uFFFD byte", result.Output);
    }

    [Fact]
    public async Task It_reads_the_answer_tool_calls_and_accounting_headers()
    {
        var (executor, _) = Create(_ => Json(
            HttpStatusCode.OK,
            Completion,
            ("X-Prompt-Name", "support-reply"),
            ("X-Prompt-Version", "4"),
            ("X-Gateway-Cost-USD", "0.000375"),
            ("X-Gateway-Output-Tokens", "25")));

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("Your refund is on its way.", result.Output);
        Assert.Equal(new ToolCall("lookup_order", "{\"id\":42}"), Assert.Single(result.ToolCalls));
        Assert.Equal(0.000375m, result.CostUsd);
        Assert.Equal(25, result.OutputTokens);
        Assert.Equal(("support-reply", 4), (result.ServedPrompt, result.ServedVersion));
        Assert.NotNull(result.LatencyMs);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData(null)]
    [InlineData("-1")]
    public async Task An_unknown_cost_is_null_not_zero(string? header)
    {
        var (executor, _) = Create(_ => header is null ? Json(HttpStatusCode.OK, Completion, Served) : Json(HttpStatusCode.OK, Completion, Served, ("X-Gateway-Cost-USD", header)));

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Null(result.CostUsd);
    }

    [Fact]
    public async Task Content_null_with_only_tool_calls_is_an_empty_output()
    {
        var (executor, _) = Create(_ => Json(HttpStatusCode.OK, """{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}""", Served));

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.Equal(string.Empty, result.Output);
        Assert.Single(result.ToolCalls);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    public async Task Errors_are_classified_and_carry_the_gateways_message(HttpStatusCode status, bool transient)
    {
        var (executor, _) = Create(_ =>
        {
            var response = Json(status, """{"error":{"message":"The variable 'customer' is required.","type":"invalid_request_error"}}""");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
            return response;
        });

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal(transient, result.Transient);
        Assert.Equal($"gateway answered {(int)status}: The variable 'customer' is required.", result.Error);
        Assert.Equal(TimeSpan.FromSeconds(2), result.RetryAfter);
    }

    [Fact]
    public async Task A_connection_failure_is_transient()
    {
        var (executor, _) = Create(_ => throw new HttpRequestException("connection refused"));

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.True(result.Transient);
        Assert.Contains("connection refused", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_version_served_than_pinned_is_an_error()
    {
        var (executor, _) = Create(_ => Json(HttpStatusCode.OK, Completion, ("X-Prompt-Version", "3")));

        var result = await executor.ExecuteAsync(Request(version: 4), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Contains("served version 3, not the pinned 4", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_does_not_say_its_version_is_an_error()
    {
        var (executor, _) = Create(_ => Json(HttpStatusCode.OK, Completion));

        var result = await executor.ExecuteAsync(Request(version: 4), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient);
        Assert.Contains("no X-Prompt-Version header", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"choices":[]}""")]
    [InlineData("""{"choices":[{"text":"legacy"}]}""")]
    public async Task A_malformed_completion_is_an_error(string body)
    {
        var (executor, _) = Create(_ => Json(HttpStatusCode.OK, body, Served));

        var result = await executor.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task Retrying_a_429_then_succeeding_gives_the_answer()
    {
        var calls = 0;
        var (executor, _) = Create(_ => ++calls == 1 ? Json(HttpStatusCode.TooManyRequests, "{}") : Json(HttpStatusCode.OK, Completion, Served));
        var retrying = new RetryingCaseExecutor(executor, new CaseRetryOptions { MaxRetries = 3, BaseDelay = TimeSpan.Zero });

        var result = await retrying.ExecuteAsync(Request(), TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Attempts);
    }

    internal sealed record SentRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string Body);

    internal sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<SentRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add(new SentRequest(request.Method, request.RequestUri!, headers, body));
            return respond(request);
        }
    }
}
