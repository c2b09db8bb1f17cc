using System.Collections.Frozen;
using LlmGateway.Providers;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Resilience;

/// <summary>
/// YARP passive health for providers. A destination that cannot be reached the provider's
/// <see cref="ResiliencePolicy.FailureThreshold"/> times in a row is taken out of rotation for every model; a model
/// that answers 429 or a retryable 5xx, or times out, its own threshold of times in a row on a destination is taken off
/// that destination alone (<see cref="DestinationBreakers.AvailableFor"/>). Either for the provider's
/// <c>Retry-After</c> when it sent one, else for the break duration; YARP's reactivation brings a destination back.
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

        // The catalog model of the attempt (the forwarder sets it on every one): its statuses are what its attempts are
        // retried on, and its circuit is its own. Without one, everything is judged on the deployment, with the provider's.
        var model = context.Features.Get<IUpstreamAttemptFeature>()?.Model;
        var policy = model?.Resilience ?? provider.Policy;
        var status = context.Response.StatusCode;
        var error = context.GetForwarderErrorFeature()?.Error;
        var tap = context.Features.Get<IHttpResponseBodyFeature>() as Streaming.ResponseTap;
        if (tap is { StreamEnded: true }
            || (error is ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                && tap is { SawResponse: true } && tap.ProviderStatus == status))
        {
            // A stream that said it was over ([DONE], response.completed) is a whole answer, whatever happened to its
            // connection after; a provider that answered without reading the whole body (a 413) answered. The forwarder
            // reads both so too.
            error = null;
        }

        var fired = lifetime?.Timer.Fired ?? UpstreamTimeout.None;
        if (!IsFailure(error, status, policy, fired))
        {
            // Only a response resets the count: an attempt that got none (its body not sent for a reason of the
            // gateway's, the request's total time running out) says nothing of the provider, failure or answer.
            if (error is null && fired != UpstreamTimeout.Total)
            {
                breakers.Succeeded(cluster.ClusterId, destination.DestinationId, model?.UpstreamModel, answered: status < 400);
            }

            return;
        }

        // Only a failure to reach the deployment (to connect, or to read a response's headers) takes it out of rotation
        // for every model of the provider. What a model answers (429, 5xx), or how long it leaves a request waiting, is
        // the model's: OpenAI's rate limits are per model and Azure's quotas per deployment, so one model's 429s (any key
        // can provoke them) or one hung deployment must not take the provider's other models out with it.
        var upstreamModel = error is ForwarderError.Request or ForwarderError.ResponseHeaders && fired is not (UpstreamTimeout.FirstByte or UpstreamTimeout.Idle)
            ? null
            : model?.UpstreamModel;

        // A first-byte timeout while the model answered other requests is likely this request's own length (a long
        // answer not streamed, which sends nothing until it is whole; a huge prompt), not the model failing: counted, a
        // few such requests sent at once by one client opened the circuit for everyone. Each of the model's answers since
        // the attempt began excuses one: a model that answers no one, or one request in many, has its timeouts counted.
        if (fired == UpstreamTimeout.FirstByte
            && breakers.TryExcuse(cluster.ClusterId, destination.DestinationId, upstreamModel, lifetime!.Timer.StartedAt))
        {
            return;
        }

        if (upstreamModel is null)
        {
            policy = provider.Policy;
        }

        var retryAfter = RetryAfterHeader.Parse(context.Response.Headers.RetryAfter, time.GetUtcNow());
        // A provider's wait is honoured up to MaxProviderBreak: a huge one (a broken or hostile header) would take the
        // destination out for good, past what YARP's reactivation timer can even schedule.
        var longest = policy.BreakDuration > MaxProviderBreak ? policy.BreakDuration : MaxProviderBreak;
        var period = retryAfter is { } wait && wait > TimeSpan.Zero ? (wait < longest ? wait : longest) : policy.BreakDuration;
        if (upstreamModel is not null)
        {
            // The forwarder leaves the deployment out for this model while its circuit is open (DestinationBreakers.AvailableFor).
            breakers.Failed(cluster.ClusterId, destination.DestinationId, upstreamModel, policy.FailureThreshold, period, responded: error is null);
            return;
        }

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

    private static bool IsFailure(ForwarderError? error, int status, ResiliencePolicy policy, UpstreamTimeout fired) =>
        error switch
        {
            null => policy.RetryStatuses.Contains(status),
            ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders
                or ForwarderError.ResponseBodyDestination or ForwarderError.RequestBodyDestination => true,
            // A timer of the gateway's cancelled the attempt before the first byte or between two reads, possibly while
            // its body was still being sent (the forwarder retries all three).
            ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.RequestBodyCanceled
                => fired is UpstreamTimeout.FirstByte or UpstreamTimeout.Idle,
            _ => false,
        };
}
