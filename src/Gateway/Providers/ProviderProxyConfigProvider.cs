using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace LlmGateway.Providers;

/// <summary>
/// Turns the catalog into YARP config: one cluster per provider and one route per
/// OpenAI endpoint. Routes name a placeholder cluster; the gateway middleware reassigns
/// each request to the cluster of the model it asked for.
/// </summary>
internal sealed class ProviderProxyConfigProvider(ModelCatalog catalog) : IProxyConfigProvider
{
    public const string UnroutedClusterId = "unrouted";

    /// <summary>The POST endpoints the gateway proxies.</summary>
    public static readonly IReadOnlyList<string> ProxiedPaths =
        ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"];

    private readonly StaticProxyConfig _config = Build(catalog);

    public IProxyConfig GetConfig() => _config;

    private static StaticProxyConfig Build(ModelCatalog catalog)
    {
        var routes = ProxiedPaths
            .Select(path => new RouteConfig
            {
                RouteId = "openai" + path.Replace('/', '-'),
                ClusterId = UnroutedClusterId,
                Match = new RouteMatch { Path = path, Methods = ["POST"] },
            })
            .ToList();

        var clusters = catalog.Providers.Values
            .Select(provider => new ClusterConfig
            {
                ClusterId = provider.ClusterId,
                // A backstop only: the gateway's own timers fire first (Resilience/AttemptTimer). Past the total, not the
                // first byte or idle: YARP counts a write waiting on a slow client as silence, and cancelling it cut the stream.
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = Backstop(provider, catalog) },
                // Only scheme, host and port: the transform builds the whole path.
                Destinations = provider.Destinations.ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address }),
                LoadBalancingPolicy = provider.LoadBalancing,
                HealthCheck = new HealthCheckConfig
                {
                    // Unhealthy destinations are left out, and none at all means none (no "panic" mode):
                    // the gateway then falls back or answers 503 with Retry-After.
                    AvailableDestinationsPolicy = "HealthyAndUnknown",
                    Passive = new PassiveHealthCheckConfig
                    {
                        Enabled = true,
                        Policy = Resilience.UpstreamHealthPolicy.PolicyName,
                        ReactivationPeriod = provider.Policy.BreakDuration,
                    },
                },
            })
            .Append(new ClusterConfig { ClusterId = UnroutedClusterId })
            .ToList();

        return new StaticProxyConfig(routes, clusters);
    }

    private static TimeSpan Backstop(Provider provider, ModelCatalog catalog) =>
        catalog.Models.Where(m => m.Provider == provider)
            .Select(m => m.Resilience)
            .Append(provider.Policy)
            .Max(p => p.TotalTimeout) + TimeSpan.FromSeconds(1);

    private sealed class StaticProxyConfig(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        // The catalog is fixed for the process lifetime.
        public IChangeToken ChangeToken { get; } = new CancellationChangeToken(CancellationToken.None);
    }
}
