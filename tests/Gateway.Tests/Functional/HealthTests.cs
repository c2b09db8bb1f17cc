using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

public sealed class HealthTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Liveness_needs_no_key()
    {
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_reports_the_store_and_the_providers()
    {
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/readyz", Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var report = JsonDocument.Parse(body);
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        var checks = report.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("providers").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Anonymous_readiness_names_no_store_process_id()
    {
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings(useSharedStore: false));
        var pid = Assert.IsType<int>(gateway.GetRequiredService<LlmGateway.Store.GatewayStore>().EmbeddedProcessId);
        using var client = gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/readyz", Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var report = JsonDocument.Parse(body);
        var description = report.RootElement.GetProperty("checks").GetProperty("store").GetProperty("description").GetString();
        Assert.StartsWith("embedded Garnet answered PING in ", description, StringComparison.Ordinal);
        Assert.DoesNotContain(FormattableString.Invariant($"process {pid}"), body, StringComparison.Ordinal);
    }
}
