using System.Text;
using LlmGateway.Budgets;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// The output cap a limited key's request is sent with when it sets none the endpoint reads: which endpoint writes
/// which field, which models get it, and how the plain rewrite writes it.
/// </summary>
public sealed class OutputCapTests
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers =
        {
            ["openai"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" },
            ["vllm"] = new ProviderOptions { Kind = "vllm", BaseUrl = "http://vllm:8000/v1" },
        },
        Models =
        {
            ["hosted"] = new CatalogModelOptions { Provider = "openai", UpstreamModel = "gpt-4o-mini" },
            ["local"] = new CatalogModelOptions { Provider = "vllm", MaxOutputTokens = 512 },
        },
    });

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"m"}""", "max_tokens")]
    [InlineData("/v1/chat/completions", """{"model":"m","max_tokens":null}""", "max_tokens")]
    [InlineData("/v1/chat/completions", """{"model":"m","max_completion_tokens":40}""", "max_tokens")]
    [InlineData("/v1/completions", """{"model":"m","prompt":"p"}""", "max_tokens")]
    [InlineData("/v1/responses", """{"model":"m","input":"i"}""", "max_output_tokens")]
    [InlineData("/v1/responses", """{"model":"m","max_tokens":40,"\u006dax_output_tokens":null}""", "max_output_tokens")]
    [InlineData("/v1/chat/completions", """{"model":"m","max_tokens":40}""", null)]
    [InlineData("/v1/completions", """{"model":"m","max_tokens":40}""", null)]
    [InlineData("/v1/responses", """{"model":"m","max_output_tokens":40}""", null)]
    [InlineData("/v1/responses", """{"model":"m","\u006dax_output_tokens":40}""", null)]
    [InlineData("/v1/embeddings", """{"model":"m","input":"i"}""", null)]
    public void The_field_the_endpoint_reads_is_capped_unless_the_request_sets_it(string path, string json, string? field)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var cap = OutputCap.Unset(new PathString(path), body, RequestBodyScanner.Scan(body), 100);

        Assert.Equal(field, cap is { } c ? (c.ResponsesField ? "max_output_tokens" : "max_tokens") : null);
    }

    [Fact]
    public void Only_a_provider_that_would_not_stop_the_model_is_sent_the_cap_and_never_past_the_model_s_own_limit()
    {
        var body = """{"model":"m"}"""u8.ToArray();
        var reserved = OutputCap.Unset(new PathString("/v1/chat/completions"), body, RequestBodyScanner.Scan(body), 16_384)!.Value;
        var small = OutputCap.Unset(new PathString("/v1/chat/completions"), body, RequestBodyScanner.Scan(body), 40)!.Value;

        Assert.Null(reserved.For(Model("hosted")));
        Assert.Equal(512, reserved.For(Model("local"))!.Value.Tokens);
        Assert.Equal(40, small.For(Model("local"))!.Value.Tokens);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"m","messages":[]}""", false, """{"model":"up","messages":[],"max_tokens":512}""")]
    [InlineData("/v1/chat/completions", """{"model":"m","max_tokens":null,"messages":[]}""", false, """{"model":"up","max_tokens":512,"messages":[]}""")]
    [InlineData("/v1/chat/completions", """{"model":"m","stream":true}""", true, """{"model":"up","stream":true,"stream_options":{"include_usage":true},"max_tokens":512}""")]
    [InlineData("/v1/responses", """{"model":"m","max_output_tokens":null,"input":"i"}""", false, """{"model":"up","max_output_tokens":512,"input":"i"}""")]
    [InlineData("/v1/responses", """{"model":"m","input":"i"}""", false, """{"model":"up","input":"i","max_output_tokens":512}""")]
    public void The_plain_rewrite_writes_the_cap_once(string path, string json, bool injectUsage, string expected)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var scan = RequestBodyScanner.Scan(body);
        var cap = OutputCap.Unset(new PathString(path), body, scan, 16_384)!.Value.For(Model("local"));
        using var buffer = new PooledBuffer(16);

        PlainRequestRewriter.Rewrite(body, scan, "\"up\""u8, injectUsage, buffer, outputCap: cap);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void With_a_tool_call_bound_both_are_written()
    {
        var body = """{"model":"m","input":"i"}"""u8.ToArray();
        var scan = RequestBodyScanner.Scan(body);
        var cap = OutputCap.Unset(new PathString("/v1/responses"), body, scan, 100)!.Value.For(Model("local"));
        using var buffer = new PooledBuffer(16);

        PlainRequestRewriter.Rewrite(body, scan, "\"up\""u8, injectUsage: false, buffer, maxToolCalls: 10, outputCap: cap);

        Assert.Equal("""{"model":"up","input":"i","max_tool_calls":10,"max_output_tokens":100}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static CatalogModel Model(string name) => Catalog.Models.Single(m => m.Name == name);
}
