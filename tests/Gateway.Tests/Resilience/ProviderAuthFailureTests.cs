using System.Net;
using System.Text;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Resilience;

/// <summary>
/// A provider's 401 is the gateway's own key refused: a configuration fault no client can fix. The client gets the
/// gateway's 502 <c>upstream_auth_failed</c>, never the provider's text (OpenAI's quotes part of the refused key) nor
/// a 401 that reads as "your gateway key is wrong"; the operators get an error log, at most once a minute per provider.
/// </summary>
public sealed class ProviderAuthFailureTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task A_providers_401_reaches_the_client_as_the_gateways_502_without_the_providers_text_and_is_not_retried(bool stream, bool emptyBody)
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(), builder => builder.Logging.AddProvider(logs));
        using var client = gateway.CreateClient(env.ApiKey);

        for (var i = 0; i < 3; i++)
        {
            var tag = OpenAiClients.NewTag();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-mock-tag", tag);
            request.Headers.Add("x-mock-status", "401");
            if (emptyBody)
            {
                // No body: nothing is written through the tap, so only the status can tell.
                request.Headers.Add("x-mock-empty-error", "true");
            }

            request.Headers.Add("X-Request-Id", $"req-auth-{i}");

            using var response = await client.SendAsync(request, Ct);

            var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "upstream_auth_failed");
            Assert.DoesNotContain("mock provider", error.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal($"req-auth-{i}", response.Headers.GetValues("X-Request-Id").Single());
            Assert.Single(env.Received.ForTag(tag));
        }

        Assert.Single(logs.Lines, l => l.Text.Contains("refused the gateway's credentials", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_providers_401_with_a_body_past_the_held_cap_is_still_the_gateways_502(bool stream)
    {
        // 70 KB: past the 64 KB an error is held with. The body is dropped past the cap, never sent on.
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-status", "401");
        request.Headers.Add("x-mock-error-padding", "70000");

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "upstream_auth_failed");
        Assert.DoesNotContain("mock provider", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x-mock-error-cut-after")]
    [InlineData("x-mock-error-stall-after")]
    public async Task A_providers_401_whose_body_is_cut_or_stalls_is_still_the_gateways_502_with_the_gateways_headers(string knob)
    {
        // The held 401's body fails after 20 bytes: YARP then replaces the response with its bare 502, headers cleared.
        // stall-model's idle timeout (300 ms) ends the stall.
        var tag = OpenAiClients.NewTag();
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"stall-model","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        request.Headers.Add("x-mock-status", "401");
        request.Headers.Add(knob, "20");
        request.Headers.Add("X-Request-Id", "req-auth-cut");

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadGateway, "upstream_auth_failed");
        Assert.DoesNotContain("mock provider", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("req-auth-cut", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("1", response.Headers.GetValues("X-Gateway-Attempts").Single());
        Assert.Single(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task Another_client_error_of_the_provider_still_passes_through_as_it_came()
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-status", "403");

        using var response = await client.SendAsync(request, Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("mock provider injected HTTP 403", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
