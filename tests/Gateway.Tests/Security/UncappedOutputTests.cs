using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A request without an output cap reserves the catalog model's <c>MaxOutputTokens</c>. OpenAI stops a model at that
/// limit itself; an OpenAI-compatible server need not (vLLM generates to the end of its context window, Ollama's
/// <c>num_predict</c> -1 never stops), so a limited key's request to one is sent with the cap its reservation counted,
/// in the field the endpoint reads. Keys without limits, and requests that set the field, reach it as sent.
/// </summary>
public sealed class UncappedOutputTests(TestEnvironment env)
{
    private const int LocalLimit = 512;
    private const int DeadLimit = 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Legacy completions get the API's own default (16), which the client gets without a cap anyway.
    public static TheoryData<string, string, string, int> UncappedBodies => new()
    {
        { "/v1/chat/completions", """{"model":"local-model","messages":[{"role":"user","content":"hi"}]}""", "max_tokens", LocalLimit },
        { "/v1/chat/completions", """{"model":"local-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens", LocalLimit },
        { "/v1/completions", """{"model":"local-model","prompt":"hi"}""", "max_tokens", 16 },
        { "/v1/completions", """{"model":"local-model","stream":true,"prompt":"hi"}""", "max_tokens", 16 },
        { "/v1/completions", """{"model":"unsized-local","prompt":"hi"}""", "max_tokens", 16 },
        { "/v1/responses", """{"model":"local-model","input":"hi"}""", "max_output_tokens", LocalLimit },
        { "/v1/responses", """{"model":"local-model","stream":true,"input":"hi"}""", "max_output_tokens", LocalLimit },
    };

    [Theory]
    [MemberData(nameof(UncappedBodies))]
    public async Task A_limited_key_s_request_without_a_cap_reaches_an_openai_compatible_provider_with_the_cap_it_reserved(string path, string body, string field, int cap)
    {
        await using var gateway = await StartAsync();
        using var spend = await ClientAsync(gateway, new KeyLimits(5m, null, null));
        using var tokens = await ClientAsync(gateway, new KeyLimits(null, null, 1_000_000));

        foreach (var client in (HttpClient[])[spend, tokens])
        {
            var (status, sent) = await SendAsync(client, path, body);

            Assert.Equal(HttpStatusCode.OK, status);
            using var json = JsonDocument.Parse(sent);
            Assert.Equal(cap, json.RootElement.GetProperty(field).GetInt32());
            // Every field the client sent is still there, once.
            using var original = JsonDocument.Parse(body);
            foreach (var property in original.RootElement.EnumerateObject())
            {
                Assert.Equal(property.Value.GetRawText(), json.RootElement.GetProperty(property.Name).GetRawText());
            }

            Assert.Equal(1, Count(sent, field));
        }
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"local-model","max_tokens":40,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"local-model","stream":true,"stream_options":{"include_usage":true},"max_tokens":40,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/completions", """{"model":"local-model","max_tokens":40,"prompt":"hi"}""")]
    [InlineData("/v1/completions", """{"model":"local-model","stream":true,"stream_options":{"include_usage":true},"max_tokens":40,"prompt":"hi"}""")]
    [InlineData("/v1/responses", """{"model":"local-model","max_output_tokens":40,"input":"hi"}""")]
    [InlineData("/v1/responses", """{"model":"local-model","stream":true,"max_output_tokens":40,"input":"hi"}""")]
    public async Task A_limited_key_s_request_with_its_own_cap_reaches_the_provider_as_sent(string path, string body)
    {
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));

        var (status, sent) = await SendAsync(limited, path, body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(body, sent);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"local-model","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/chat/completions", """{"model":"local-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/completions", """{"model":"local-model","prompt":"hi"}""")]
    [InlineData("/v1/completions", """{"model":"local-model","stream":true,"stream_options":{"include_usage":true},"prompt":"hi"}""")]
    [InlineData("/v1/responses", """{"model":"local-model","input":"hi"}""")]
    [InlineData("/v1/responses", """{"model":"local-model","stream":true,"input":"hi"}""")]
    [InlineData("/v1/embeddings", """{"model":"local-model","input":"hi"}""")]
    public async Task A_key_without_limits_reaches_the_provider_byte_for_byte(string path, string body)
    {
        await using var gateway = await StartAsync();
        using var plain = gateway.CreateClient(env.ApiKey);

        var (status, sent) = await SendAsync(plain, path, body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(body, sent);
    }

    [Fact]
    public async Task A_limited_key_s_embeddings_request_is_not_given_an_output_cap()
    {
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));
        const string Body = """{"model":"local-model","input":"hi"}""";

        var (status, sent) = await SendAsync(limited, "/v1/embeddings", Body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Body, sent);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"unsized-local","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/responses", """{"model":"unsized-local","input":"hi"}""")]
    public async Task A_model_without_a_configured_output_limit_is_sent_no_cap_its_server_might_refuse(string path, string body)
    {
        // Its limit is a family default (16,384 for an unknown model), which a server with a smaller context window
        // refuses as max_tokens: written, it would turn every limited key's working request into a 400.
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));

        var (status, sent) = await SendAsync(limited, path, body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(body, sent);
    }

    [Theory]
    // A null cap is no cap: it is replaced, not followed by a second key.
    [InlineData("/v1/chat/completions", """{"model":"local-model","max_tokens":null,"messages":[]}""", """{"model":"local-model","max_tokens":512,"messages":[]}""")]
    [InlineData("/v1/responses", """{"model":"local-model","max_output_tokens":null,"input":"hi"}""", """{"model":"local-model","max_output_tokens":512,"input":"hi"}""")]
    // A cap in a field the endpoint does not read (Ollama's chat reads max_tokens only) is what was reserved: it is sent
    // in the field it reads too.
    [InlineData("/v1/chat/completions", """{"model":"local-model","max_completion_tokens":40,"messages":[]}""", """{"model":"local-model","max_completion_tokens":40,"messages":[],"max_tokens":40}""")]
    [InlineData("/v1/responses", """{"model":"local-model","max_tokens":40,"input":"hi"}""", """{"model":"local-model","max_tokens":40,"input":"hi","max_output_tokens":40}""")]
    [InlineData("/v1/completions", """{"model":"local-model","max_output_tokens":10,"prompt":"hi"}""", """{"model":"local-model","max_output_tokens":10,"prompt":"hi","max_tokens":10}""")]
    public async Task A_cap_the_endpoint_does_not_read_is_replaced_by_the_one_reserved(string path, string body, string expected)
    {
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));

        var (_, sent) = await SendAsync(limited, path, body);

        Assert.Equal(expected, sent);
    }

    [Fact]
    public async Task A_limited_key_s_request_to_openai_is_sent_as_it_came()
    {
        // OpenAI stops a model at its own output limit (the catalog's default for the family): its body is left alone.
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));
        const string Body = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

        var (status, sent) = await SendAsync(limited, "/v1/chat/completions", Body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Body, sent);
    }

    [Fact]
    public async Task Each_model_tried_is_sent_its_own_limit_and_no_more()
    {
        // Reserved for the larger of the two (1,024); the fallback that serves is capped at its own 512, and a fallback
        // on OpenAI gets no cap.
        await using var gateway = await StartAsync();
        using var limited = await ClientAsync(gateway, new KeyLimits(5m, null, null));

        var (toLocal, sentLocal) = await SendAsync(limited, "/v1/chat/completions", """{"model":"dead-local","messages":[{"role":"user","content":"hi"}]}""");
        var (toOpenAi, sentOpenAi) = await SendAsync(limited, "/v1/chat/completions", """{"model":"dead-openai","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, toLocal);
        Assert.Equal("""{"model":"local-model","messages":[{"role":"user","content":"hi"}],"max_tokens":512}""", sentLocal);
        Assert.Equal(HttpStatusCode.OK, toOpenAi);
        Assert.Equal("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", sentOpenAi);
    }

    [Fact]
    public async Task A_prompt_without_its_own_max_tokens_is_capped_and_one_with_it_is_left_to_it()
    {
        await using var gateway = await StartAsync();
        var name = "cap-" + Guid.NewGuid().ToString("N")[..10];
        await PromptSetup.ReleaseAsync(gateway, name + "-open", [Bundle(name + "-open", "")]);
        await PromptSetup.ReleaseAsync(gateway, name + "-own", [Bundle(name + "-own", ""","params":{"max_tokens":30}""")]);
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("uncapped", PromptSetup.Environment, [], new KeyLimits(5m, null, null));
        using var limited = gateway.CreateClient(secret);

        var (open, sentOpen) = await SendAsync(limited, "/v1/chat/completions", $$"""{"model":"prompt:{{name}}-open","prompt_variables":{},"messages":[{"role":"user","content":"hi"}]}""");
        var (own, sentOwn) = await SendAsync(limited, "/v1/chat/completions", $$"""{"model":"prompt:{{name}}-own","prompt_variables":{},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, open);
        Assert.Equal(HttpStatusCode.OK, own);
        using var openJson = JsonDocument.Parse(sentOpen);
        using var ownJson = JsonDocument.Parse(sentOwn);
        Assert.Equal(LocalLimit, openJson.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal(30, ownJson.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal(1, Count(sentOwn, "max_tokens"));
    }

    private Task<GatewayHost> StartAsync()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:local:Kind"] = "openai-compatible";
        settings["Gateway:Providers:local:BaseUrl"] = new Uri(env.MockUrl, "/v1").ToString();
        settings["Gateway:Providers:local:ApiKey"] = TestEnvironment.ProviderKey;
        settings["Gateway:Providers:local:ForwardRequestHeaders:0"] = "x-mock-*";
        settings["Gateway:Models:local-model:Provider"] = "local";
        settings["Gateway:Models:local-model:MaxOutputTokens"] = LocalLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Models:unsized-local:Provider"] = "local";
        settings["Gateway:Pricing:Models:unsized-local:0:EffectiveFrom"] = "2024-01-01T00:00:00Z";
        settings["Gateway:Pricing:Models:unsized-local:0:InputPerMillion"] = "0.1";
        settings["Gateway:Pricing:Models:unsized-local:0:OutputPerMillion"] = "0.2";
        settings["Gateway:Pricing:Models:local-model:0:EffectiveFrom"] = "2024-01-01T00:00:00Z";
        settings["Gateway:Pricing:Models:local-model:0:InputPerMillion"] = "0.1";
        settings["Gateway:Pricing:Models:local-model:0:OutputPerMillion"] = "0.2";
        // A model on a closed port (openai-compatible) falling back to local-model, and one falling back to OpenAI.
        settings["Gateway:Models:dead-local:Provider"] = "dead";
        settings["Gateway:Models:dead-local:UpstreamModel"] = "local-model";
        settings["Gateway:Models:dead-local:MaxOutputTokens"] = DeadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Models:dead-local:Fallbacks:0"] = "local-model";
        settings["Gateway:Models:dead-openai:Provider"] = "dead";
        settings["Gateway:Models:dead-openai:UpstreamModel"] = "gpt-4o-mini";
        settings["Gateway:Models:dead-openai:MaxOutputTokens"] = DeadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:Models:dead-openai:Fallbacks:0"] = "gpt-4o-mini";
        return GatewayHost.StartAsync(settings);
    }

    private static string Bundle(string name, string extra) => $$"""
        {"name":"{{name}}","model":"local-model","messages":[{"role":"system","content":"be brief"}]{{extra}}}
        """;

    private static async Task<HttpClient> ClientAsync(GatewayHost gateway, KeyLimits limits)
    {
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("uncapped", "test", [], limits);
        return gateway.CreateClient(secret);
    }

    /// <summary>Sends <paramref name="body"/> tagged, reads the answer through, and returns what the provider received.</summary>
    private async Task<(HttpStatusCode Status, string Sent)> SendAsync(HttpClient client, string path, string body)
    {
        var tag = OpenAiClients.NewTag();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-mock-tag", tag);
        using var response = await client.SendAsync(request, Ct);
        _ = await response.Content.ReadAsStringAsync(Ct);
        var received = env.Received.ForTag(tag);
        return (response.StatusCode, received.Count == 0 ? "" : received[^1].Body);
    }

    private static int Count(string json, string field) =>
        (json.Length - json.Replace($"\"{field}\":", "", StringComparison.Ordinal).Length) / (field.Length + 3);
}
