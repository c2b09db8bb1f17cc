using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Telemetry;

/// <summary><c>Gateway:Telemetry:MetricsPort</c>: the scrape endpoint moves off the API's port.</summary>
public sealed class MetricsPortTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_a_metrics_port_metrics_are_served_there_only_whatever_the_host_header_says()
    {
        var port = FreePort();
        var settings = env.GatewaySettings();
        settings["Gateway:Telemetry:MetricsPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);

        using var api = gateway.CreateClient(null);
        using var onApiPort = await api.GetAsync("/metrics", Ct);
        // Routing ignores a trailing slash (and case): neither reaches the scrape endpoint on an API port.
        using var withSlash = await api.GetAsync("/metrics/", Ct);
        using var upperCase = await api.GetAsync("/METRICS/", Ct);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var onMetricsPort = await scraper.GetAsync("/metrics", Ct);
        using var models = await gateway.CreateClient(env.ApiKey).GetAsync("/v1/models", Ct);
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoofed.Headers.Host = $"127.0.0.1:{port}";
        using var withSpoofedHost = await api.SendAsync(spoofed, Ct);
        using var scraperKey = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        scraperKey.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", env.ApiKey);
        using var apiOnMetricsPort = await scraper.SendAsync(scraperKey, Ct);

        Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withSlash.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, upperCase.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onMetricsPort.StatusCode);
        Assert.Contains("# TYPE", await onMetricsPort.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withSpoofedHost.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, apiOnMetricsPort.StatusCode);
    }

    [Fact]
    public async Task The_metrics_port_keeps_the_https_ports_the_host_would_have_bound()
    {
        // Setting the metrics port fills the addresses Kestrel binds: https_ports was left out, and HTTPS disappeared.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["http_ports"] = "8080";
        builder.Configuration["https_ports"] = "8443";
        await using var app = builder.Build();

        LlmGateway.Telemetry.TelemetryExtensions.ListenAlsoOn(app, 9464);

        Assert.Equal(["http://*:8080", "https://*:8443", "http://*:9464"], app.Urls);
    }

    [Fact]
    public async Task The_metrics_port_beside_kestrels_own_endpoints_stops_the_start_rather_than_not_opening()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Kestrel:Endpoints:Api:Url"] = "http://127.0.0.1:8080";
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => LlmGateway.Telemetry.TelemetryExtensions.ListenAlsoOn(app, 9464));

        Assert.Contains("Kestrel:Endpoints", error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
