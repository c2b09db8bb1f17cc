using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Store;

/// <summary>
/// What only a Redis Cluster shows. They run when the suite's store is one (CI runs the whole suite once more against a
/// one-node cluster, where a multi-key command or script across slots fails as it would across nodes).
/// </summary>
public sealed class RedisClusterTests(TestEnvironment env)
{
    [Fact]
    public async Task Readyz_reports_a_ping_from_every_primary()
    {
        Assert.SkipUnless(env.IsCluster, "The store is not a Redis Cluster.");
        using var client = env.Gateway.CreateClient(apiKey: null);

        using var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);

        Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var store = report.RootElement.GetProperty("checks").GetProperty("store");
        Assert.Equal("Healthy", store.GetProperty("status").GetString());
        Assert.StartsWith("Redis Cluster: all ", store.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains(" primaries answered PING", store.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_number_stops_the_start_saying_what_to_change()
    {
        Assert.SkipUnless(env.IsCluster && env.StoreConnection.StartsWith("redis://", StringComparison.OrdinalIgnoreCase), "The store is not a Redis Cluster given as a URL.");
        var settings = env.GatewaySettings();
        settings["Redis:Configuration"] = env.StoreConnection.TrimEnd('/') + "/3";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("names database 3, but the store is a Redis Cluster, which has only database 0", error.Message, StringComparison.Ordinal);
    }
}
