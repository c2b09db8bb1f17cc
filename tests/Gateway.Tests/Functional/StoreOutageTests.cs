using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>A gateway whose Redis is down still starts, says so, and answers with clear errors.</summary>
public sealed class StoreOutageTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_store_down_the_gateway_starts_reports_not_ready_and_refuses_unknown_keys_with_503()
    {
        await using var gateway = await StartWithStoreDownAsync();
        var tag = OpenAiClients.NewTag();

        using var client = gateway.CreateClient("gwk_any-key-at-all");
        using var ready = await client.GetAsync("/readyz", Ct);
        using var live = await client.GetAsync("/healthz", Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-mock-tag", tag);
        using var chat = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Unhealthy", report.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        await ErrorAssertions.AssertOpenAiErrorAsync(chat, HttpStatusCode.ServiceUnavailable, "store_unavailable");
        Assert.Empty(env.Received.ForTag(tag));
    }

    [Fact]
    public async Task With_the_store_down_an_admin_call_gets_a_503_in_the_OpenAI_error_shape_not_an_empty_500()
    {
        await using var gateway = await StartWithStoreDownAsync();
        using var author = new AdminClient(gateway, TestEnvironment.AuthorToken);

        var pushed = await author.PushAsync(Bundles.Json(Bundles.UniqueName("outage")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, pushed.Status);
        var error = pushed.Json.GetProperty("error");
        Assert.Equal("store_unavailable", error.GetProperty("code").GetString());
        Assert.Equal("api_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain("127.0.0.1", pushed.Text, StringComparison.Ordinal);
    }

    /// <summary>A gateway whose store address is a closed port, with short store timeouts.</summary>
    private Task<GatewayHost> StartWithStoreDownAsync()
    {
        var settings = env.GatewaySettings();
        settings["Redis:Configuration"] = $"127.0.0.1:{ClosedPort.Pick()},connectTimeout=300";
        settings["Redis:OperationTimeoutMs"] = "300";
        return GatewayHost.StartAsync(settings);
    }
}
