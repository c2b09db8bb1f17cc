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
