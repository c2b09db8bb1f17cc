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
    public void Rejects_a_broken_provider(string field, string value, string expected)
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
    public void Reserves_the_prompt_prefix()
    {
        var options = Catalog();
        options.Models["prompt:x"] = new CatalogModelOptions { Provider = "main" };

        Assert.Contains("reserved", new CatalogOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    private static CatalogOptions Catalog() => new()
    {
        Providers = { ["main"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" } },
        Models = { ["gpt-4o"] = new CatalogModelOptions { Provider = "main" } },
    };
}
