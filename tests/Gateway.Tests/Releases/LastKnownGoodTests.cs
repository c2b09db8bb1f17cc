using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Releases;

/// <summary>When the store goes away, the gateway keeps serving the releases it last loaded, and says so.</summary>
public sealed class LastKnownGoodTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_store_stopped_the_last_known_good_releases_are_served_and_reported()
    {
        var garnet = EmbeddedGarnetServer.Start(memory: "64m", index: "8m");
        var settings = env.GatewaySettings();
        settings["Redis:Configuration"] = garnet.ConnectionString + ",connectTimeout=300";
        settings["Redis:OperationTimeoutMs"] = "300";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var author = new AdminClient(gateway, TestEnvironment.AuthorToken);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        using var viewer = new AdminClient(gateway, TestEnvironment.ViewerToken);
        var name = Bundles.UniqueName("lkg");
        (await author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await operatorClient.ReleaseAsync(name, "staging", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        Assert.True(await Eventually.TrueAsync(async () => (await viewer.GetAsync("/admin/v1/instance/releases")).Text.Contains(name, StringComparison.Ordinal), TimeSpan.FromSeconds(1)));

        garnet.Dispose();

        var stale = await Eventually.ResultAsync(
            () => viewer.GetAsync("/admin/v1/instance/releases"),
            r => !r.Json.GetProperty("store_available").GetBoolean(),
            TimeSpan.FromSeconds(5));
        Assert.False(stale.Json.GetProperty("store_available").GetBoolean());
        var release = Assert.Single(stale.Json.GetProperty("releases").EnumerateArray());
        Assert.Equal(name, release.GetProperty("prompt").GetString());
        Assert.Equal(1, release.GetProperty("stable").GetInt32());

        // Degraded, not unhealthy: the instance still serves, so it must stay in the load balancer.
        using var http = gateway.CreateClient(apiKey: null);
        var (status, body) = await Eventually.ResultAsync(
            async () =>
            {
                using var response = await http.GetAsync("/readyz", Ct);
                return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
            },
            r => r.Item2.Contains("\"releases\":{\"status\":\"Degraded\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5));
        using var report = JsonDocument.Parse(body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("Degraded", report.RootElement.GetProperty("checks").GetProperty("releases").GetProperty("status").GetString());
        Assert.Contains("last known good", report.RootElement.GetProperty("checks").GetProperty("releases").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("Degraded", report.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.Equal(1, ReadGauge(gateway, "gateway.releases.snapshot.stale"));
        Assert.Equal(1, ReadGauge(gateway, "gateway.releases.count"));
    }

    /// <summary>Reads one observable gauge of this gateway's own meter (not another host's in this process).</summary>
    private static double ReadGauge(GatewayHost gateway, string name)
    {
        var scope = gateway.GetRequiredService<IMeterFactory>();
        double? value = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == name && instrument.Meter.Scope == scope)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, _, _) => value = measurement);
        listener.SetMeasurementEventCallback<double>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"No measurement for {name}.");
    }
}
