using System.Globalization;
using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// The tools a provider runs itself (web and file search, code interpreter, image generation) cost a fee per call beside
/// the tokens. A key's spend limit holds for them too: their fees are reserved before anything is sent (calls allowed ×
/// fee), billed to what the answer shows, and a tool without a price is refused to a key with a spend limit.
/// </summary>
public sealed class ProviderToolFeeTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_calls_a_request_allows_are_reserved_at_their_fee()
    {
        await using var gateway = await StartAsync();
        // Ten searches (the default bound) at 0.01 USD are more than this budget; two are not, nor is no search.
        using var client = await ClientAsync(gateway, new KeyLimits(0.05m, null, null));

        using var tenSearches = await client.PostAsync("/v1/responses", Json(Responses("""[{"type":"web_search"}]""")), Ct);
        using var twoSearches = await client.PostAsync("/v1/responses", Json(Responses("""[{"type":"web_search_preview"}]""", ""","max_tool_calls":2""")), Ct);
        using var clientTools = await client.PostAsync("/v1/responses", Json(Responses("""[{"type":"function","name":"f","parameters":{}}]""")), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(tenSearches, HttpStatusCode.TooManyRequests, "budget_exceeded");
        Assert.Equal(HttpStatusCode.OK, twoSearches.StatusCode);
        Assert.Equal(HttpStatusCode.OK, clientTools.StatusCode);
    }

    [Fact]
    public async Task The_provider_is_told_the_bound_a_limited_key_s_reservation_counted_when_the_request_set_none()
    {
        // Reserved for ten calls, so the provider may make no more: otherwise each call past the tenth is billed beyond
        // the limit. A request's own max_tool_calls, and a key without limits, are left as sent.
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));
        using var unlimited = gateway.CreateClient(env.ApiKey);
        var (bounded, ownBound, noLimits) = (OpenAiClients.NewTag(), OpenAiClients.NewTag(), OpenAiClients.NewTag());

        using var first = await limited.SendAsync(Tagged(Responses("""[{"type":"web_search"}]"""), bounded), Ct);
        using var second = await limited.SendAsync(Tagged(Responses("""[{"type":"web_search"}]""", ""","max_tool_calls":3"""), ownBound), Ct);
        using var third = await unlimited.SendAsync(Tagged(Responses("""[{"type":"web_search"}]"""), noLimits), Ct);

        var (zero, fraction) = (OpenAiClients.NewTag(), OpenAiClients.NewTag());
        using var fourth = await limited.SendAsync(Tagged(Responses("""[{"type":"web_search"}]""", ""","max_tool_calls":0"""), zero), Ct);
        using var fifth = await limited.SendAsync(Tagged(Responses("""[{"type":"web_search"}]""", ""","max_tool_calls":2.5"""), fraction), Ct);

        Assert.All([first, second, third, fourth, fifth], r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(10, MaxToolCalls(bounded));
        Assert.Equal(3, MaxToolCalls(ownBound));
        Assert.Null(MaxToolCalls(noLimits));
        // A client's own count is never raised; one the reservation cannot read is replaced by the bound it reserved.
        Assert.Equal(0, MaxToolCalls(zero));
        Assert.Equal(10, MaxToolCalls(fraction));
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("3000000000")]
    [InlineData("1001")]
    [InlineData("1e400")]
    public async Task A_max_tool_calls_above_the_ceiling_is_refused_before_anything_is_reserved_or_sent(string calls)
    {
        // A key limited only by tokens per minute: its fees still go to its spend counters, and int.MaxValue image
        // generations a request pushed them to where the store refused to add, which let its requests through unbudgeted.
        var (_, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("tool-ceiling", "test", [], new KeyLimits(null, null, 100_000));
        using var client = env.Gateway.CreateClient(secret);
        var (refusedTag, servedTag) = (OpenAiClients.NewTag(), OpenAiClients.NewTag());
        const string Tools = """[{"type":"image_generation"}]""";

        using var refused = await client.SendAsync(Tagged(Responses(Tools, $$""","stream":true,"max_tool_calls":{{calls}}"""), refusedTag), Ct);
        using var served = await client.SendAsync(Tagged(Responses(Tools, ""","max_tool_calls":1000"""), servedTag), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("max_tool_calls", error.GetProperty("param").GetString());
        Assert.Contains("1000", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(env.Received.ForTag(refusedTag));
        // The ceiling itself is a count like any other, sent as the client set it.
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(1000, MaxToolCalls(servedTag));
    }

    [Fact]
    public async Task A_max_tool_calls_above_the_ceiling_with_function_tools_only_is_sent_as_it_is()
    {
        // Only provider-run tools are billed per call: an agent whose tools are all its own functions reserves nothing
        // for max_tool_calls, and was refused for a cap OpenAI applies to built-in tools only.
        var (_, secret) = await env.Gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("tool-ceiling-functions", "test", [], new KeyLimits(null, null, 100_000));
        using var client = env.Gateway.CreateClient(secret);
        var tag = OpenAiClients.NewTag();

        using var served = await client.SendAsync(Tagged(Responses("""[{"type":"function","name":"f","parameters":{}}]""", ""","max_tool_calls":5000"""), tag), Ct);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(5000, MaxToolCalls(tag));
    }

    [Fact]
    public async Task A_tool_without_a_price_is_refused_to_a_key_with_a_spend_limit_and_served_to_one_without()
    {
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));
        using var unlimited = gateway.CreateClient(env.ApiKey);

        using var refused = await limited.PostAsync("/v1/responses", Json(Responses("""[{"type":"code_interpreter","container":{"type":"auto"}}]""")), Ct);
        using var served = await unlimited.PostAsync("/v1/responses", Json(Responses("""[{"type":"code_interpreter","container":{"type":"auto"}}]""")), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadRequest, "tool_not_priced");
        Assert.Equal("tools", error.GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Theory]
    // A known tool beside one whose type is not text (a lone surrogate escape): refused as unpriced, never a 500.
    [InlineData("""[{"type":"web_search"},{"type":"\ud800"}]""")]
    [InlineData("""[{"type":"\ud800"}]""")]
    [InlineData("""[{"\ud800":1}]""")]
    [InlineData("""[{"type":"function","name":"f","parameters":{}},{"type":"some_new_tool"}]""")]
    public async Task An_unknown_or_unreadable_tool_type_is_refused_as_unpriced(string tools)
    {
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));

        using var refused = await limited.PostAsync("/v1/responses", Json(Responses(tools)), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.BadRequest, "tool_not_priced");
        Assert.Equal("tools", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_chat_search_is_reserved_and_billed_once()
    {
        await using var gateway = await StartAsync();
        using var small = await ClientAsync(gateway, new KeyLimits(0.005m, null, null));
        using var large = await ClientAsync(gateway, new KeyLimits(1m, null, null));
        const string Searching = """{"model":"gpt-4o-mini","max_tokens":10,"web_search_options":{},"messages":[{"role":"user","content":"news?"}]}""";

        using var refused = await small.PostAsync("/v1/chat/completions", Json(Searching), Ct);
        using var plain = await small.PostAsync("/v1/chat/completions", Json("""{"model":"gpt-4o-mini","max_tokens":10,"messages":[{"role":"user","content":"news?"}]}"""), Ct);
        using var searched = await large.PostAsync("/v1/chat/completions", Json(Searching), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.TooManyRequests, "budget_exceeded");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
        var cost = decimal.Parse(searched.Headers.GetValues("X-Gateway-Cost-USD").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(cost, 0.01m, 0.011m);
    }

    private Task<GatewayHost> StartAsync()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Pricing:ToolCalls:web_search"] = "0.01";
        return GatewayHost.StartAsync(settings);
    }

    private static async Task<HttpClient> ClientAsync(GatewayHost gateway, KeyLimits limits)
    {
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("tool-fees", "test", [], limits);
        return gateway.CreateClient(secret);
    }

    private static string Responses(string tools, string extra = "") =>
        $$"""{"model":"gpt-4o-mini","max_output_tokens":16,"input":"what is new?","tools":{{tools}}{{extra}}}""";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Tagged(string body, string tag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Json(body) };
        request.Headers.Add("x-mock-tag", tag);
        return request;
    }

    private int? MaxToolCalls(string tag)
    {
        using var sent = System.Text.Json.JsonDocument.Parse(Assert.Single(env.Received.ForTag(tag)).Body);
        return sent.RootElement.TryGetProperty("max_tool_calls", out var calls) ? calls.GetInt32() : null;
    }
}
