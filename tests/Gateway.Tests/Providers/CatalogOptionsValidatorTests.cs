using LlmGateway.Providers;

namespace LlmGateway.Tests.Providers;

public sealed class CatalogOptionsValidatorTests
{
    [Fact]
    public void A_consistent_catalog_is_valid()
    {
        var options = Catalog();

        Assert.True(new CatalogOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("Kind", "grpc", "is not one of")]
    [InlineData("BaseUrl", "not a url", "absolute http(s) URL")]
    [InlineData("BaseUrl", "ftp://host", "absolute http(s) URL")]
    [InlineData("BaseUrl", "sk-proj-swapped0123456789abcdefghij", "absolute http(s) URL")]
    [InlineData("Kind", "sk-proj-swapped0123456789abcdefghij", "is not one of")]
    public void Rejects_a_broken_provider_without_quoting_the_value(string field, string value, string expected)
    {
        var options = Catalog();
        var provider = options.Providers["main"];
        if (field == "Kind")
        {
            provider.Kind = value;
        }
        else
        {
            provider.BaseUrl = value;
        }

        var result = new CatalogOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        // A key set in the wrong variable would otherwise be in the start-up log.
        Assert.DoesNotContain(value, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_model_on_an_unknown_provider_and_azure_without_api_version()
    {
        var options = Catalog();
        options.Models["orphan"] = new CatalogModelOptions { Provider = "nowhere" };
        options.Providers["az"] = new ProviderOptions { Kind = "azure-openai", BaseUrl = "https://az" };

        var result = new CatalogOptionsValidator().Validate(null, options);

        Assert.Contains("'nowhere' is not a configured provider", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ApiVersion is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_two_deployments_on_one_host()
    {
        // Their keys are found by host: start-up crashed on a duplicate key with a message that named nothing.
        var options = Catalog();
        var provider = options.Providers["main"];
        provider.BaseUrl = "https://eastus.example/v1";
        provider.Endpoints.Add(new ProviderEndpointOptions { BaseUrl = "https://westeu.example/v1", ApiKey = "k1" });
        provider.Endpoints.Add(new ProviderEndpointOptions { BaseUrl = "https://WESTEU.example/v1", ApiKey = "k2" });

        var result = new CatalogOptionsValidator().Validate(null, options);

        Assert.Contains("Gateway:Providers:main:Endpoints:1:BaseUrl is on the same host and port as another", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Endpoints:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserves_the_prompt_prefix()
    {
        var options = Catalog();
        options.Models["prompt:x"] = new CatalogModelOptions { Provider = "main" };

        Assert.Contains("reserved", new CatalogOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_bad_resilience_settings_fallbacks_and_endpoints()
    {
        var options = Catalog();
        options.Providers["main"].Resilience = new LlmGateway.Resilience.ResilienceSettings { MaxAttempts = 0, RetryStatuses = [400, 503] };
        options.Providers["main"].Endpoints.Add(new ProviderEndpointOptions { BaseUrl = "https://eu.example.com/other" });
        options.Providers["main"].LoadBalancing = "Fastest";
        options.Models["gpt-4o"].Fallbacks.Add("gpt-4o");
        options.Models["gpt-4o"].Fallbacks.Add("nowhere");

        var message = new CatalogOptionsValidator().Validate(null, options).FailureMessage;

        Assert.Contains("MaxAttempts", message, StringComparison.Ordinal);
        Assert.Contains("must not include client errors", message, StringComparison.Ordinal);
        Assert.Contains("same path as BaseUrl", message, StringComparison.Ordinal);
        Assert.Contains("'Fastest' is not", message, StringComparison.Ordinal);
        Assert.Contains("'gpt-4o' is not another catalog model", message, StringComparison.Ordinal);
        Assert.Contains("'nowhere' is not another catalog model", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_connect_timeout_set_for_a_model()
    {
        // Connections are the provider's, shared by all its models: a model's own connect timeout could not be honoured.
        var options = Catalog();
        options.Models["gpt-4o"].Resilience = new() { ConnectTimeoutMs = 500 };

        var result = new CatalogOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Gateway:Models:gpt-4o:Resilience:ConnectTimeoutMs", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_fallbacks_endpoints_and_model_overrides()
    {
        var options = Catalog();
        options.Providers["main"].Endpoints.Add(new ProviderEndpointOptions { BaseUrl = "https://eu.example.com/v1", ApiKey = "k" });
        options.Models["gpt-4o-mini"] = new CatalogModelOptions { Provider = "main", Resilience = new() { IdleTimeoutMs = 5000 } };
        options.Models["gpt-4o"].Fallbacks.Add("gpt-4o-mini");

        Assert.True(new CatalogOptionsValidator().Validate(null, options).Succeeded);
        var catalog = new ModelCatalog(options);
        Assert.True(catalog.TryGetModel("gpt-4o", out var model));
        Assert.Equal("gpt-4o-mini", Assert.Single(model.Fallbacks).Name);
        Assert.Equal(2, model.Provider.Destinations.Count);
        Assert.True(catalog.TryGetModel("gpt-4o-mini", out var mini));
        Assert.Equal(TimeSpan.FromSeconds(5), mini.Resilience.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(100), model.Resilience.IdleTimeout);
    }

    private static CatalogOptions Catalog() => new()
    {
        Providers = { ["main"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" } },
        Models = { ["gpt-4o"] = new CatalogModelOptions { Provider = "main" } },
    };
}
