using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A key holder cannot get past or overrun a budget with the output fields: every bound is checked
/// before anything is reserved, and the reservation is a true upper bound of what is billed.
/// </summary>
public sealed class BudgetBypassTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("\"max_tokens\":-100000", "max_tokens")]
    [InlineData("\"max_tokens\":0", "max_tokens")]
    [InlineData("\"max_tokens\":99999999999999999", "max_tokens")]
    [InlineData("\"max_tokens\":999999999999999999999999", "max_tokens")]
    [InlineData("\"max_tokens\":16385", "max_tokens")]
    [InlineData("\"max_tokens\":10.5", "max_tokens")]
    [InlineData("\"max_tokens\":\"10\"", "max_tokens")]
    [InlineData("\"max_completion_tokens\":-1", "max_completion_tokens")]
    [InlineData("\"n\":9", "n")]
    [InlineData("\"n\":0", "n")]
    [InlineData("\"\\u006e\":100", "n")]
    [InlineData("\"best_of\":50", "best_of")]
    public async Task An_output_bound_out_of_range_is_refused_before_anything_is_reserved(string field, string param)
    {
        // A budget no real request fits: only a bypass could get an answer out of it.
        using var client = await ClientAsync(env.Gateway, "bypass", new KeyLimits(0.00001m, null, null));

        using var response = await client.PostAsync(
            "/v1/chat/completions",
            new StringContent($$"""{"model":"gpt-4o-mini",{{field}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Without_max_tokens_the_model_s_whole_output_limit_is_reserved()
    {
        // 16 384 output tokens of gpt-4o-mini cost ~0.0098 USD: more than this budget, so it is refused
        // (a fixed 4 096 would have cost ~0.0025 USD and been let through).
        using var client = await ClientAsync(env.Gateway, "no-cap", new KeyLimits(0.005m, null, null));

        using var refused = await client.PostAsync("/v1/chat/completions", Chat("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""), Ct);
        using var fits = await client.PostAsync("/v1/chat/completions", Chat("""{"model":"gpt-4o-mini","max_tokens":4096,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.TooManyRequests, "budget_exceeded");
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
    }

    [Theory]
    [InlineData("", HttpStatusCode.OK)]
    [InlineData(",\"previous_response_id\":null", HttpStatusCode.OK)]
    [InlineData(",\"metadata\":{\"previous_response_id\":\"resp_1\"}", HttpStatusCode.OK)]
    [InlineData(",\"previous_response_id\":\"resp_1\"", HttpStatusCode.TooManyRequests)]
    [InlineData(",\"previous\\u005fresponse_id\":\"resp_1\"", HttpStatusCode.TooManyRequests)]
    [InlineData(",\"conversation\":\"conv_1\"", HttpStatusCode.TooManyRequests)]
    [InlineData(",\"conversation\":{\"id\":\"conv_1\"}", HttpStatusCode.TooManyRequests)]
    public async Task A_request_continuing_a_stored_conversation_reserves_the_model_s_context_window(string state, HttpStatusCode expected)
    {
        // The provider reads the stored conversation too, up to gpt-4o-mini's 128,000-token window (~0.0192 USD of input):
        // more than this budget. The body alone (a word, 1,000 output tokens: ~0.0006 USD) fits.
        using var client = await ClientAsync(env.Gateway, "state", new KeyLimits(0.01m, null, null));

        using var response = await client.PostAsync(
            "/v1/responses", Chat($$"""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi"{{state}}}"""), Ct);

        await AssertServedOrOverBudgetAsync(response, expected);
    }

    [Theory]
    [InlineData("\"background\":true", true)]
    [InlineData("\"backgroun\\u0064\": true ", true)]
    [InlineData("\"background\":false", false)]
    [InlineData("\"background\":null", false)]
    [InlineData("\"metadata\":{\"background\":\"true\"}", false)]
    public async Task A_background_response_whose_cost_the_gateway_would_never_see_is_refused_before_the_provider(string field, bool refused)
    {
        // A background response answers at once, queued, with no usage; it runs and is billed out of the gateway's sight.
        var tag = OpenAiClients.NewTag();
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = Chat($$"""{"model":"gpt-4o-mini","input":"hi",{{field}}}"""),
        };
        request.Headers.Add("x-mock-tag", tag);

        using var response = await client.SendAsync(request, Ct);

        if (refused)
        {
            var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "unsupported_parameter");
            Assert.Equal("background", error.GetProperty("param").GetString());
            Assert.Empty(env.Received.ForTag(tag));
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single(env.Received.ForTag(tag));
        }
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"type":"item_reference","id":"msg_1"}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"role":"user","content":[{"type":"input_file","file_url":"https://example.com/100-pages.pdf"}]}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","prompt":{"id":"pmpt_1"}}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","tools":[{"type":"web_search"}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","tools":[{"type":"function","name":"f","parameters":{"type":"object"}},{"type":"mcp","server_url":"https://mcp.example.com"}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","tools":[{"type":"function","name":"f","parameters":{"type":"web_search"}}]}""", HttpStatusCode.OK)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","tools":[{"type":"computer_use_preview","display_width":1024,"display_height":768},{"type":"local_shell"},{"type":"apply_patch"}]}""", HttpStatusCode.OK)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"role":"user","content":[{"type":"input_text","text":"the type is item_reference"}]}]}""", HttpStatusCode.OK)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"id":"msg_1"},{"id":"msg_2"}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"type":null,"id":"msg_1"}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"role":"user","content":[{"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}]}]}""", HttpStatusCode.TooManyRequests)]
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"replayed"}]}]}""", HttpStatusCode.OK)]
    // As the Vercel AI SDK replays an earlier answer: an id, its role and content, no type.
    [InlineData("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"output_text","text":"hello"}],"id":"msg_1"},{"role":"user","content":"and?"}]}""", HttpStatusCode.OK)]
    public async Task Input_the_provider_reads_beyond_the_body_reserves_the_model_s_context_window(string body, HttpStatusCode expected)
    {
        // Files and items named by id or URL, stored prompts and built-in tools' results: the provider reads them as
        // input, up to gpt-4o-mini's 128,000-token window (~0.0192 USD): more than this budget. The body alone fits.
        using var client = await ClientAsync(env.Gateway, "unseen", new KeyLimits(0.01m, null, null));

        using var response = await client.PostAsync("/v1/responses", Chat(body), Ct);

        await AssertServedOrOverBudgetAsync(response, expected);
    }

    [Fact]
    public async Task An_operator_caps_what_unseen_input_reserves_so_a_small_key_can_afford_it()
    {
        // 20,000 tokens of gpt-4o-mini (0.003 USD) fit the 0.01 USD budget where the 128,000-token window does not.
        var settings = env.GatewaySettings();
        settings["Gateway:Budgets:UnseenInputTokens"] = "20000";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = await ClientAsync(gateway, "unseen-capped", new KeyLimits(0.01m, null, null));

        using var response = await client.PostAsync(
            "/v1/responses", Chat("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","previous_response_id":"resp_1"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_chat_file_named_by_id_reserves_the_model_s_context_window()
    {
        using var client = await ClientAsync(env.Gateway, "unseen-chat", new KeyLimits(0.01m, null, null));

        using var response = await client.PostAsync("/v1/chat/completions",
            Chat("""{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}"""), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.TooManyRequests, "budget_exceeded");
    }

    [Fact]
    public async Task A_chat_file_sent_inline_reserves_the_model_s_context_window()
    {
        // A few kilobytes of compressed PDF can hold a hundred pages, each read as an image plus its text: its bytes
        // bound nothing.
        using var client = await ClientAsync(env.Gateway, "unseen-inline", new KeyLimits(0.01m, null, null));

        using var response = await client.PostAsync("/v1/chat/completions",
            Chat("""{"model":"gpt-4o-mini","max_tokens":1000,"messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0xLjQK"}}]}]}"""), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.TooManyRequests, "budget_exceeded");
    }

    [Theory]
    [InlineData(null, HttpStatusCode.TooManyRequests)]
    [InlineData("1000", HttpStatusCode.OK)]
    public async Task An_image_reserves_what_the_catalog_says_the_model_counts_for_one(string? imageInputTokens, HttpStatusCode expected)
    {
        // gpt-4o-mini counts an image at up to 48,169 tokens by default (~0.0072 USD), over the 0.005 USD budget; a
        // catalog entry that says 1,000 reserves ~0.00015 USD.
        var settings = env.GatewaySettings();
        if (imageInputTokens is not null)
        {
            settings["Gateway:Models:gpt-4o-mini:ImageInputTokens"] = imageInputTokens;
        }

        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = await ClientAsync(gateway, "image-bound", new KeyLimits(0.005m, null, null));

        using var response = await client.PostAsync("/v1/chat/completions", Chat(
            """{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}"""), Ct);

        await AssertServedOrOverBudgetAsync(response, expected);
    }

    [Theory]
    [InlineData("", HttpStatusCode.OK)]
    [InlineData(",\"service_tier\":\"default\"", HttpStatusCode.OK)]
    [InlineData(",\"service_tier\":\"priority\"", HttpStatusCode.TooManyRequests)]
    public async Task Priority_processing_is_reserved_at_its_price(string tier, HttpStatusCode expected)
    {
        // 10,000 output tokens of gpt-4o-mini: ~0.006 USD at the standard price, ~0.012 at priority's 2x: over 0.01.
        using var client = await ClientAsync(env.Gateway, "priority", new KeyLimits(0.01m, null, null));

        using var response = await client.PostAsync(
            "/v1/chat/completions", Chat($$"""{"model":"gpt-4o-mini","max_tokens":10000,"messages":[{"role":"user","content":"hi"}]{{tier}}}"""), Ct);

        await AssertServedOrOverBudgetAsync(response, expected);
    }

    [Fact]
    public async Task A_stored_conversation_is_reserved_in_spend_not_in_tokens_per_minute()
    {
        // 5,000 tokens a minute is far under the context window: a continued conversation still goes through, and its
        // minute is settled to what the provider reports.
        using var client = await ClientAsync(env.Gateway, "state-tpm", new KeyLimits(null, null, 5_000));

        using var response = await client.PostAsync(
            "/v1/responses", Chat("""{"model":"gpt-4o-mini","max_output_tokens":1000,"input":"hi","previous_response_id":"resp_1"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_key_with_a_spend_limit_calling_a_model_without_a_price_is_refused()
    {
        using var client = await ClientAsync(env.Gateway, "unpriced", new KeyLimits(1m, null, null));

        using var response = await client.PostAsync("/v1/chat/completions", Chat("""{"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "model_not_priced");
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task The_provider_never_generates_more_than_max_tokens()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var response = await client.PostAsync("/v1/chat/completions", Chat("""{"model":"gpt-4o-mini","max_tokens":3,"messages":[{"role":"user","content":"Tell me a long story"}]}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(long.Parse(response.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 3);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("length", json.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Fifty_concurrent_requests_with_hostile_output_fields_never_spend_more_than_the_budget()
    {
        // The measurement: max_tokens 10 against 0.0001 USD a day served 15 and spent 37% over.
        const decimal Budget = 0.0001m;
        var (key, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("fifty", "test", [], new KeyLimits(Budget, null, null));
        using var client = env.Gateway.CreateClient(secret);
        string[] fields = ["\"max_tokens\":10", "\"max_tokens\":10", "\"max_tokens\":10", "\"max_tokens\":-100000", "\"max_tokens\":99999999999999999", "", "\"max_tokens\":10,\"n\":2"];

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var field = fields[i % fields.Length];
            var body = $$"""{"model":"gpt-4o-mini",{{field}}{{(field.Length == 0 ? "" : ",")}}"messages":[{"role":"user","content":"Tell me a long story, number {{i}}"}]}""";
            using var response = await client.PostAsync("/v1/chat/completions", Chat(body), Ct);
            var cost = response.Headers.TryGetValues("X-Gateway-Cost-USD", out var values) ? decimal.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture) : 0m;
            return (response.StatusCode, Cost: cost);
        }));

        var served = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.NotEmpty(served);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal(
            responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest),
            Enumerable.Range(0, 50).Count(i => fields[i % fields.Length].Contains("-100000", StringComparison.Ordinal) || fields[i % fields.Length].Contains("9999", StringComparison.Ordinal)));
        Assert.True(served.Sum(r => r.Cost) <= Budget, $"served {served.Count} for {served.Sum(r => r.Cost)} USD of {Budget}");

        // The settled counter (what every later request is judged against) agrees.
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var spent = (long)await store.Database.StringGetAsync($"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:{DateTimeOffset.UtcNow:yyyyMMdd}");
        Assert.InRange(spent, 1, 100_000);
    }

    /// <summary>A client of a new key with these limits.</summary>
    private static async Task<HttpClient> ClientAsync(GatewayHost gateway, string app, KeyLimits limits)
    {
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync(app, "test", [], limits);
        return gateway.CreateClient(secret);
    }

    /// <summary>Served (200), or refused before anything was sent (429 <c>budget_exceeded</c>).</summary>
    private static async Task AssertServedOrOverBudgetAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            await ErrorAssertions.AssertOpenAiErrorAsync(response, expected, "budget_exceeded");
        }
    }

    private static StringContent Chat(string json) => new(json, Encoding.UTF8, "application/json");
}
