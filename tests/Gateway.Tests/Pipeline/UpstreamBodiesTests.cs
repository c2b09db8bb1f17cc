using System.Text;
using System.Text.Json;
using LlmGateway.Pipeline;
using LlmGateway.Providers;
using LlmGateway.Proxy;

namespace LlmGateway.Tests.Pipeline;

/// <summary>The one place that chooses the upstream body: as is, renamed, with usage asked for, or a fallback's.</summary>
public sealed class UpstreamBodiesTests : IDisposable
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers =
        {
            ["alpha"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://alpha/v1" },
        },
        Models =
        {
            // Neither model is renamed: only the fallback's own name tells the provider which to run.
            ["first"] = new CatalogModelOptions { Provider = "alpha", Fallbacks = ["second"] },
            ["second"] = new CatalogModelOptions { Provider = "alpha" },
            ["renamed"] = new CatalogModelOptions { Provider = "alpha", UpstreamModel = "provider-name" },
        },
    });

    private readonly List<IDisposable> _owned = [];

    [Fact]
    public void A_body_that_needs_no_change_is_sent_as_the_client_sent_it()
    {
        var (client, bodies) = Create("""{"model":"first","messages":[]}""", "first", injectUsage: false);

        Assert.Same(client, bodies.First);
        Assert.False(bodies.Rewritten);
    }

    [Fact]
    public void A_renamed_model_gets_the_providers_name()
    {
        var (_, bodies) = Create("""{"model":"renamed","messages":[]}""", "renamed", injectUsage: false);

        Assert.True(bodies.Rewritten);
        Assert.Equal("provider-name", ModelOf(bodies.First));
    }

    [Fact]
    public void A_stream_whose_client_did_not_ask_for_usage_asks_for_it()
    {
        var (_, bodies) = Create("""{"model":"first","stream":true,"messages":[]}""", "first", injectUsage: true);

        using var json = JsonDocument.Parse(bodies.First.WrittenMemory);
        Assert.True(json.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("first", json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void A_fallback_gets_its_own_model_name_even_when_no_model_is_renamed()
    {
        var (_, bodies) = Create("""{"model":"first","messages":[{"role":"user","content":"hi"}]}""", "first", injectUsage: false);

        var fallback = bodies.For(Model("second"));

        Assert.Equal("second", ModelOf(fallback));
        Assert.Same(fallback, bodies.For(Model("second")));
        Assert.Equal("first", ModelOf(bodies.For(Model("first"))));
        using var json = JsonDocument.Parse(fallback.WrittenMemory);
        Assert.Equal("hi", json.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public void A_fallback_of_a_streamed_request_asks_for_usage_too()
    {
        var (_, bodies) = Create("""{"model":"first","stream":true,"messages":[]}""", "first", injectUsage: true);

        using var json = JsonDocument.Parse(bodies.For(Model("second")).WrittenMemory);
        Assert.Equal("second", json.RootElement.GetProperty("model").GetString());
        Assert.True(json.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public void Giving_the_bodies_back_twice_is_harmless()
    {
        var (client, bodies) = Create("""{"model":"renamed","messages":[]}""", "renamed", injectUsage: false);
        var fallback = bodies.For(Model("first"));

        bodies.Dispose();
        bodies.Dispose();

        Assert.Equal(0, bodies.First.Length);
        Assert.Equal(0, fallback.Length);
        // The client's own body is the admission stage's to give back, never these bodies'.
        Assert.NotEqual(0, client.Length);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static CatalogModel Model(string name) => Catalog.Models.Single(m => m.Name == name);

    private static string ModelOf(PooledBuffer body)
    {
        using var json = JsonDocument.Parse(body.WrittenMemory);
        return json.RootElement.GetProperty("model").GetString()!;
    }

    private (PooledBuffer Client, UpstreamBodies Bodies) Create(string json, string model, bool injectUsage)
    {
        var client = new PooledBuffer(json.Length);
        client.Write(Encoding.UTF8.GetBytes(json));
        _owned.Add(client);
        var scan = RequestBodyScanner.Scan(client.WrittenSpan);
        var (bodies, error) = UpstreamBodies.Create(client, scan, Model(model), bundle: null, rendered: null, injectUsage);
        Assert.Null(error);
        _owned.Insert(0, bodies!);
        return (client, bodies!);
    }
}
