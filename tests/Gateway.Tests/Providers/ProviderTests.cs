using LlmGateway.Providers;

namespace LlmGateway.Tests.Providers;

public sealed class ProviderTests
{
    [Theory]
    [InlineData("openai", "https://api.openai.com/v1", "/v1/chat/completions", "gpt-4o", "/v1/chat/completions")]
    [InlineData("openai-compatible", "http://localhost:11434/v1/", "/v1/embeddings", "nomic", "/v1/embeddings")]
    [InlineData("openai-compatible", "http://vllm:8000/", "/v1/completions", "llama", "/completions")]
    [InlineData("azure-openai", "https://res.openai.azure.com", "/v1/chat/completions", "prod-4o", "/openai/deployments/prod-4o/chat/completions")]
    [InlineData("azure-openai", "https://res.openai.azure.com/", "/v1/embeddings", "emb dep", "/openai/deployments/emb%20dep/embeddings")]
    public void Maps_gateway_paths_to_the_provider_layout(string kind, string baseUrl, string path, string model, string expected)
    {
        var provider = new Provider("p", new ProviderOptions { Kind = kind, BaseUrl = baseUrl, ApiVersion = "2024-10-21" });

        Assert.Equal(expected, provider.MapPath(path, model));
    }

    [Fact]
    public void Destinations_sort_by_id_in_the_order_configured_so_first_alphabetical_takes_the_base_url_first()
    {
        // YARP's FirstAlphabetical serves the first destination by id: "endpoint-1" sorted before "primary", and
        // "endpoint-10" before "endpoint-2", so a fail-over pair sent everything to the fail-over.
        var options = new ProviderOptions { Kind = "azure-openai", BaseUrl = "https://eastus.example", ApiVersion = "v" };
        options.Endpoints.AddRange(Enumerable.Range(1, 11).Select(i => new ProviderEndpointOptions { BaseUrl = $"https://region{i}.example" }));

        var provider = new Provider("a", options);

        var byId = provider.Destinations.OrderBy(d => d.Id, StringComparer.OrdinalIgnoreCase).Select(d => d.Address).ToList();
        Assert.Equal(["https://eastus.example", .. Enumerable.Range(1, 11).Select(i => $"https://region{i}.example")], byId);
    }

    [Fact]
    public void A_key_read_with_a_trailing_new_line_is_sent_without_it()
    {
        // A key mounted from a secret file ends in a new line: sent as it was, every call failed.
        var azure = new Provider("a", new ProviderOptions { Kind = "azure-openai", BaseUrl = "https://x", ApiVersion = "v", ApiKey = "k1\n" });
        var openai = new Provider("o", new ProviderOptions { Kind = "openai", BaseUrl = "https://x", ApiKey = "  k2\r\n" });
        using var azureRequest = new HttpRequestMessage();
        using var openaiRequest = new HttpRequestMessage();

        azure.ApplyCredentials(azureRequest);
        openai.ApplyCredentials(openaiRequest);

        Assert.Equal("k1", azureRequest.Headers.GetValues("api-key").Single());
        Assert.Equal("Bearer k2", openaiRequest.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void Azure_sends_its_key_as_api_key_and_others_as_bearer()
    {
        var azure = new Provider("a", new ProviderOptions { Kind = "azure-openai", BaseUrl = "https://x", ApiVersion = "v", ApiKey = "k1" });
        var openai = new Provider("o", new ProviderOptions { Kind = "openai", BaseUrl = "https://x", ApiKey = "k2" });
        using var azureRequest = new HttpRequestMessage();
        using var openaiRequest = new HttpRequestMessage();

        azure.ApplyCredentials(azureRequest);
        openai.ApplyCredentials(openaiRequest);

        Assert.Equal("k1", azureRequest.Headers.GetValues("api-key").Single());
        Assert.False(azureRequest.Headers.Contains("Authorization"));
        Assert.Equal("Bearer k2", openaiRequest.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void Every_path_maps_the_same_however_often_and_however_many_are_asked_for()
    {
        var provider = new Provider("p", new ProviderOptions { Kind = "openai-compatible", BaseUrl = "http://vllm:8000/base/" });

        // Past the bound of paths kept: the ones after it are built each time, and still right.
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Equal($"/base/op{i}/x", provider.MapPath($"/v1/op{i}/x", "m"));
            }
        }

        Assert.Equal(64, provider.KnownPathCount);
    }

    [Fact]
    public void An_azure_path_names_each_calls_deployment_not_the_first_one_seen()
    {
        var azure = new Provider("a", new ProviderOptions { Kind = "azure-openai", BaseUrl = "https://res.openai.azure.com", ApiVersion = "v" });

        Assert.Equal("/openai/deployments/one/chat/completions", azure.MapPath("/v1/chat/completions", "one"));
        Assert.Equal("/openai/deployments/two/chat/completions", azure.MapPath("/v1/chat/completions", "two"));
    }

    [Fact]
    public void A_destination_with_its_own_key_is_sent_that_key_and_the_others_the_providers()
    {
        var provider = new Provider("o", new ProviderOptions
        {
            Kind = "openai",
            BaseUrl = "https://main.example",
            ApiKey = "main-key",
            Endpoints = [new ProviderEndpointOptions { BaseUrl = "https://second.example", ApiKey = "second-key" }, new ProviderEndpointOptions { BaseUrl = "https://third.example" }],
        });
        using var second = new HttpRequestMessage();
        using var third = new HttpRequestMessage();
        using var main = new HttpRequestMessage();

        provider.ApplyCredentials(second, "https://second.example/");
        provider.ApplyCredentials(third, "https://third.example/");
        provider.ApplyCredentials(main, "https://main.example/");

        Assert.Equal("Bearer second-key", second.Headers.GetValues("Authorization").Single());
        Assert.Equal("Bearer main-key", third.Headers.GetValues("Authorization").Single());
        Assert.Equal("Bearer main-key", main.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void A_deployment_whose_named_key_variable_is_unset_is_sent_no_key_never_the_providers()
    {
        // A typo in the variable, or a secret not mounted: the provider's key went to that other host.
        var provider = new Provider("o", new ProviderOptions
        {
            Kind = "openai",
            BaseUrl = "https://main.example",
            ApiKey = "main-key",
            Endpoints = [new ProviderEndpointOptions { BaseUrl = "https://other.example", ApiKeyEnvironmentVariable = "GW_TEST_UNSET_" + Guid.NewGuid().ToString("N") }],
        });
        using var other = new HttpRequestMessage();
        using var main = new HttpRequestMessage();

        provider.ApplyCredentials(other, "https://other.example/");
        provider.ApplyCredentials(main, "https://main.example/");

        Assert.False(other.Headers.Contains("Authorization"));
        Assert.Equal("Bearer main-key", main.Headers.GetValues("Authorization").Single());
        Assert.Equal([0], provider.EndpointsWithoutTheirKey);
    }

    [Fact]
    public async Task The_gateway_is_not_ready_while_a_deployment_lacks_the_key_it_names()
    {
        var options = new CatalogOptions
        {
            Providers =
            {
                ["main"] = new ProviderOptions
                {
                    Kind = "openai",
                    BaseUrl = "https://main.example/v1",
                    ApiKey = "main-key",
                    Endpoints = [new ProviderEndpointOptions { BaseUrl = "https://other.example/v1", ApiKeyEnvironmentVariable = "GW_TEST_UNSET_" + Guid.NewGuid().ToString("N") }],
                },
            },
            Models = { ["gpt-4o"] = new CatalogModelOptions { Provider = "main" } },
        };

        var result = await new ProviderCatalogHealthCheck(new ModelCatalog(options)).CheckHealthAsync(new(), TestContext.Current.CancellationToken);

        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, result.Status);
        Assert.Contains("Gateway:Providers:main:Endpoints:0", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("main-key", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_key_from_the_named_environment_variable()
    {
        var variable = "GW_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            var options = new ProviderOptions { Kind = "openai", BaseUrl = "https://x", ApiKeyEnvironmentVariable = variable };

            Assert.Equal("from-env", options.ResolveApiKey());
            Assert.True(new Provider("p", options).HasApiKey);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
