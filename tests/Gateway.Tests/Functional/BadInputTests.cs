using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>Every bad request gets OpenAI's error shape and the right status, and reaches no provider.</summary>
public sealed class BadInputTests(TestEnvironment env)
{
    private const string ValidChat = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, HttpStatusCode, string> Cases => new()
    {
        { "malformed JSON", "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[""", HttpStatusCode.BadRequest, "invalid_json" },
        { "not an object", "/v1/chat/completions", """["gpt-4o-mini"]""", HttpStatusCode.BadRequest, "invalid_json" },
        { "empty body", "/v1/embeddings", "", HttpStatusCode.BadRequest, "invalid_json" },
        { "missing model", "/v1/chat/completions", """{"messages":[]}""", HttpStatusCode.BadRequest, "missing_model" },
        { "empty model", "/v1/chat/completions", """{"model":"","messages":[]}""", HttpStatusCode.BadRequest, "missing_model" },
        { "model not a string", "/v1/completions", """{"model":7,"prompt":"x"}""", HttpStatusCode.BadRequest, "missing_model" },
        { "unknown model", "/v1/chat/completions", """{"model":"gpt-9-ultra","messages":[]}""", HttpStatusCode.NotFound, "model_not_found" },
        { "unknown model on responses", "/v1/responses", """{"model":"nope","input":"x"}""", HttpStatusCode.NotFound, "model_not_found" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_bodies_are_refused_before_the_provider(string name, string path, string body, HttpStatusCode status, string code)
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(path, body, "application/json", env.ApiKey, tag);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, status, code);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(response.Headers.Contains("X-Request-Id"), name);
        Assert.Empty(env.Received.ForTag(tag));
    }

    public static TheoryData<string, string, string> NotBooleans => new()
    {
        // Lenient providers read these as true: a background job the gateway never bills, a stream without include_usage.
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"hi","background":1}""", "background" },
        { "/v1/responses", """{"model":"gpt-4o-mini","input":"hi","background":"true"}""", "background" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":"true"}""", "stream" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":1}""", "stream" },
        { "/v1/chat/completions", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":{}}""", "stream" },
    };

    [Theory]
    [MemberData(nameof(NotBooleans))]
    public async Task A_stream_or_background_flag_that_is_not_a_boolean_is_refused_naming_it(string path, string body, string param)
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync(path, body, "application/json", env.ApiKey, tag);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_type");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("prompt:", false)]
    [InlineData("prompt:", true)]
    public async Task A_model_name_past_the_bound_is_refused_with_a_short_400_before_any_lookup(string prefix, bool pin)
    {
        // '<' is escaped six-fold by the JSON writer: echoed whole, this body cost a 6 MB error and far more allocated.
        var tag = OpenAiClients.NewTag();
        var body = $$"""{"model":"{{prefix}}{{new string('<', 1_000_000)}}","messages":[{"role":"user","content":"hi"}]}""";
        using var client = env.Gateway.CreateClient(pin ? await PromptSetup.KeyAsync(env.Gateway, "pin") : env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-mock-tag", tag);
        if (pin)
        {
            // A pin reads the prompt's bundle from the store under its name: refused before that too.
            request.Headers.Add("X-Prompt-Version", "1");
        }

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "string_above_max_length");
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.InRange((await response.Content.ReadAsByteArrayAsync(Ct)).Length, 1, 2047);
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task An_unknown_model_at_the_bound_is_named_in_full()
    {
        var model = new string('m', 256);

        using var response = await SendAsync("/v1/chat/completions", $$"""{"model":"{{model}}","messages":[]}""", "application/json", env.ApiKey, OpenAiClients.NewTag());

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.NotFound, "model_not_found");
        Assert.Contains($"'{model}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_content_type_is_echoed_cut()
    {
        var tag = OpenAiClients.NewTag();
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(ValidChat)) };
        request.Headers.Add("x-mock-tag", tag);
        Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/" + new string('<', 20_000)));

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Contains("'text/<<<", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.InRange((await response.Content.ReadAsByteArrayAsync(Ct)).Length, 1, 2047);
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task Missing_model_names_the_param()
    {
        using var response = await SendAsync("/v1/chat/completions", """{"messages":[]}""", "application/json", env.ApiKey, OpenAiClients.NewTag());

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "missing_model");
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Wrong_content_type_is_415(string? contentType)
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync("/v1/chat/completions", ValidChat, contentType, env.ApiKey, tag);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_413_with_or_without_content_length(bool chunked)
    {
        var tag = OpenAiClients.NewTag();
        var padding = new string('x', 1024 * 1024 + 10);
        var body = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{padding}}"}]}""";

        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions");
        request.Headers.Add("x-mock-tag", tag);
        request.Content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await client.SendAsync(request, Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "request_too_large");
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Theory]
    [InlineData(40 * 1024 * 1024, 40 * 1024 * 1024)]
    [InlineData(1024 * 1024, 30_000_000)]
    public async Task A_limit_above_kestrels_own_default_raises_it_and_a_lower_one_leaves_it(long configured, long kestrel)
    {
        // Kestrel refuses bodies past 30,000,000 bytes while they are read, with its own message: a configured 40 MB
        // limit used to be 30 MB in fact. (Read from the running gateway's options: a 40 MB request through the shared
        // mock would keep its body in the mock's log for the rest of the run.)
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxRequestBodyBytes"] = configured.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);

        var limits = gateway.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits;

        Assert.Equal(kestrel, limits.MaxRequestBodySize);
    }

    [Fact]
    public async Task A_body_just_under_the_limit_is_forwarded()
    {
        var tag = OpenAiClients.NewTag();
        // Words, not one long run of a character: BPE tokenizers (the mock counts usage) are quadratic on those.
        var padding = string.Concat(Enumerable.Repeat("lorem ipsum ", (1024 * 1024 - 200) / 12));
        var body = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{padding}}"}]}""";

        using var response = await SendAsync("/v1/chat/completions", body, "application/json", env.ApiKey, tag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, env.Received.ForTag(tag).Single().Body);
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("gwk_not-a-real-key", "invalid_api_key")]
    [InlineData(TestEnvironment.ProviderKey, "invalid_api_key")]
    public async Task Missing_or_unknown_gateway_key_is_401(string? key, string code)
    {
        var tag = OpenAiClients.NewTag();

        using var response = await SendAsync("/v1/chat/completions", ValidChat, "application/json", key, tag);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, code);
        Assert.DoesNotContain(TestEnvironment.ProviderKey, error.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task Models_endpoint_also_requires_a_key()
    {
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/v1/models", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "missing_api_key");
    }

    [Fact]
    public async Task An_unknown_model_id_on_the_models_endpoint_is_404()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var response = await client.GetAsync("/v1/models/gpt-9-ultra", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.NotFound, "model_not_found");
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string body, string? contentType, string? apiKey, string tag)
    {
        using var client = env.Gateway.CreateClient(apiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("x-mock-tag", tag);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await client.SendAsync(request, Ct);
    }
}
