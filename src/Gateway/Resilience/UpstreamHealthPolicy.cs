using System.Collections.Frozen;
using LlmGateway.Providers;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Resilience;

/// <summary>
/// YARP passive health for providers: a destination that answers 429 or a retryable 5xx, cannot
/// be reached, or times out, <see cref="ResiliencePolicy.FailureThreshold"/> times in a row is
/// taken out of rotation — for the provider's <c>Retry-After</c> when it sent one, else for the
/// provider's break duration. YARP's reactivation brings it back.
/// </summary>
internal sealed class UpstreamHealthPolicy(
    IDestinationHealthUpdater health, IClusterDestinationsUpdater destinations, DestinationBreakers breakers, ModelCatalog catalog, IServiceProvider services, TimeProvider time) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "LlmGatewayUpstream";

    private readonly FrozenDictionary<string, Provider> _providers = catalog.Providers.Values.ToFrozenDictionary(p => p.ClusterId, StringComparer.Ordinal);

    /// <summary>The longest a provider's <c>Retry-After</c> takes a destination out (the configured break, if longer).</summary>
    public static readonly TimeSpan MaxProviderBreak = TimeSpan.FromHours(1);

    public string Name => PolicyName;

    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        // A shadow copy is the candidate's, answered by no user: its failures (a candidate model the provider refuses,
        // its own rate limit) must not take the destination out of rotation for the stable traffic users are served,
        // nor its successes reset a count that stable failures are building.
        if (context.Features.Get<Shadow.ShadowCopy>() is not null)
        {
            return;
        }

        // YARP passes the route's cluster, which is the gateway's placeholder: the request was
        // reassigned to its provider's cluster, so judge that one.
        var clusterId = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        if (!_providers.TryGetValue(clusterId, out var provider)
            || !services.GetRequiredService<IProxyStateLookup>().TryGetCluster(clusterId, out var assigned))
        {
            return;
        }

        cluster = assigned;

        var lifetime = context.Features.Get<IHttpRequestLifetimeFeature>() as ForwardingLifetime;
        if (lifetime?.ClientGone == true)
        {
            // The client leaving says nothing about the provider.
            return;
        }

        if (!IsFailure(context, provider.Policy, lifetime))
        {
            // The request's total time running out is neither: not a failure of the destination, nor an answer.
            if (lifetime?.Timer.Fired != UpstreamTimeout.Total)
            {
                breakers.Succeeded(cluster.ClusterId, destination.DestinationId, answered: context.Response.StatusCode < 400);
            }

            return;
        }

        // A first-byte timeout while the destination answered other requests is likely this request's own length (a
        // long answer not streamed, which sends nothing until it is whole; a huge prompt), not the provider failing:
        // counted, a few such requests sent at once by one client opened the circuit for everyone. Each answer since
        // the attempt began excuses one: a provider that answers no one, or one request in many, has its timeouts counted.
        if (lifetime?.Timer.Fired == UpstreamTimeout.FirstByte
            && breakers.TryExcuse(cluster.ClusterId, destination.DestinationId, lifetime.Timer.StartedAt))
        {
            return;
        }

        var policy = provider.Policy;
        var retryAfter = RetryAfterHeader.Parse(context.Response.Headers.RetryAfter, time.GetUtcNow());
        // A provider's wait is honoured up to MaxProviderBreak: a huge one (a broken or hostile header) would take the
        // destination out for good, past what YARP's reactivation timer can even schedule.
        var longest = policy.BreakDuration > MaxProviderBreak ? policy.BreakDuration : MaxProviderBreak;
        var period = retryAfter is { } wait && wait > TimeSpan.Zero ? (wait < longest ? wait : longest) : policy.BreakDuration;
        if (breakers.Failed(cluster.ClusterId, destination.DestinationId, policy.FailureThreshold, period))
        {
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period);

            // YARP rebuilds the available set on the thread pool after SetPassive, so the client's
            // next request could still be sent to this destination. Rebuild it now, before this
            // request's pipeline ends. The forced rebuild waits its turn; the other one returns
            // without rebuilding when two rebuilds of the cluster are already under way.
            destinations.UpdateAllDestinations(cluster);
        }
    }

    // A stream that said it was over ([DONE], response.completed) is a whole answer, whatever happened to its
    // connection after (the forwarder reads it so too).
    private static bool IsFailure(HttpContext context, ResiliencePolicy policy, ForwardingLifetime? lifetime) =>
        context.Features.Get<IHttpResponseBodyFeature>() is not Streaming.ResponseTap { StreamEnded: true }
        && context.GetForwarderErrorFeature()?.Error switch
        {
            null => policy.RetryStatuses.Contains(context.Response.StatusCode),
            ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders or ForwarderError.ResponseBodyDestination => true,
            ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled => lifetime?.Timer.Fired is UpstreamTimeout.FirstByte or UpstreamTimeout.Idle,
            _ => false,
        };
}
