using System.Net;
using System.Net.Sockets;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Telemetry;

/// <summary><c>Gateway:Telemetry:MetricsPort</c>: the scrape endpoint moves off the API's port.</summary>
public sealed class MetricsPortTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_a_metrics_port_the_api_port_no_longer_serves_metrics()
    {
        var port = FreePort();
        var settings = env.GatewaySettings();
        settings["Gateway:Telemetry:MetricsPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);

        using var api = gateway.CreateClient(null);
        using var onApiPort = await api.GetAsync("/metrics", Ct);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var onMetricsPort = await scraper.GetAsync("/metrics", Ct);
        using var models = await gateway.CreateClient(env.ApiKey).GetAsync("/v1/models", Ct);

        Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onMetricsPort.StatusCode);
        Assert.Contains("# TYPE", await onMetricsPort.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
