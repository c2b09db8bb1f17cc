using LlmGateway.Providers;
using LlmGateway.Shadow;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LlmGateway.Tests.Rollouts;

/// <summary>Which of the client's headers a shadow copy carries: exactly those its provider was allowed to see, content headers aside.</summary>
public sealed class ShadowForwardedHeadersTests
{
    [Fact]
    public void A_copy_carries_what_the_provider_sees_every_value_of_it_and_nothing_else()
    {
        var client = new HeaderDictionary
        {
            ["Authorization"] = "Bearer sk-client-secret",
            ["Cookie"] = "session=1",
            ["X-Session-Id"] = "s-1",
            ["X-Prompt-Version"] = "3",
            ["X-Gateway-Shadow-Environment"] = "production",
            ["X-Forwarded-For"] = "10.0.0.1",
            ["Content-Type"] = "application/json",
            ["Content-Length"] = "42",
            ["Host"] = "gateway.local",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["Accept"] = "application/json",
            ["OpenAI-Beta"] = "assistants=v2",
            ["x-mock-tag"] = new StringValues(["one", "two"]),
        };

        var carried = ShadowDispatcher.ForwardedHeaders(HeaderAllowList.ForRequests(["x-mock-*"]), client)
            .ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase);

        Assert.Equal(["Accept", "OpenAI-Beta", "x-mock-tag"], carried.Keys.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal(["one", "two"], carried["x-mock-tag"]);
        Assert.Equal(["assistants=v2"], carried["OpenAI-Beta"]);
    }

    [Fact]
    public void A_provider_without_configured_headers_lets_only_the_defaults_through()
    {
        var client = new HeaderDictionary { ["x-mock-tag"] = "t", ["User-Agent"] = "OpenAI/.NET", ["X-Custom"] = "c" };

        var carried = ShadowDispatcher.ForwardedHeaders(HeaderAllowList.ForRequests([]), client);

        Assert.Equal("User-Agent", Assert.Single(carried).Key);
    }
}
