using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// YARP's part of a request, without the network. <see cref="Enter"/> is what YARP's pipeline initializer
/// does before the first stage (the route's <see cref="IReverseProxyFeature"/>, on the placeholder cluster);
/// <see cref="ForwardAsync"/> is the terminal after <c>ForwardStage</c>, in place of load balancing and the
/// forwarder: it checks the request was reassigned to a cluster with a destination, takes one, reads the
/// upstream body to its end (as the forwarder copies it) and answers a canned <c>chat.completion</c> with its
/// usage: status, <c>Content-Type</c> and <c>Content-Length</c> first, then the body through
/// <c>context.Response.Body</c> (the tap).
/// </summary>
internal sealed class YarpStandIn
{
    /// <summary>What OpenAI answers a short non-streamed chat request (667 bytes).</summary>
    public static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Load testing shows how a system behaves under the traffic it will really see.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":27,"completion_tokens":16,"total_tokens":43,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_06737a9306"}""");

    public const long PromptTokens = 27;
    public const long CompletionTokens = 16;

    private readonly RouteModel _route;
    private readonly ClusterState _placeholder;
    private readonly string _clusterId;

    // The forwarder's copy buffer: one per instance (the benchmarks are single-threaded).
    private readonly byte[] _copyBuffer = new byte[16 * 1024];

    public YarpStandIn(IProxyStateLookup proxyState, string routeId, string clusterId)
    {
        if (!proxyState.TryGetRoute(routeId, out var route) || route.Cluster is null)
        {
            throw new InvalidOperationException($"YARP has no route '{routeId}' with a cluster.");
        }

        if (!proxyState.TryGetCluster(clusterId, out var cluster) || cluster.DestinationsState.AvailableDestinations.Count == 0)
        {
            throw new InvalidOperationException($"YARP has no cluster '{clusterId}' with an available destination.");
        }

        _route = route;
        _placeholder = route.Cluster;
        _clusterId = clusterId;
    }

    /// <summary>Requests forwarded so far.</summary>
    public int Forwarded { get; private set; }

    /// <summary>When set, <see cref="ForwardAsync"/> keeps a copy of each upstream body here (checks only: it allocates).</summary>
    public MemoryStream? Recorder { get; set; }

    /// <summary>When set, shown each request as it reaches the forwarder (checks only).</summary>
    public Action<HttpContext>? Inspect { get; set; }

    /// <summary>As YARP's pipeline initializer: the matched route and its (placeholder) cluster's destinations.</summary>
    public void Enter(HttpContext context)
    {
        var destinations = _placeholder.DestinationsState;
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = _route,
            Cluster = _placeholder.Model,
            AllDestinations = destinations.AllDestinations,
            AvailableDestinations = destinations.AvailableDestinations,
        });
    }

    public async Task ForwardAsync(HttpContext context)
    {
        var proxy = context.GetReverseProxyFeature();
        if (proxy.Cluster?.Config.ClusterId != _clusterId || proxy.AvailableDestinations.Count == 0)
        {
            throw new InvalidOperationException($"The request reached the forwarder on cluster '{proxy.Cluster?.Config.ClusterId}', not '{_clusterId}' with a destination.");
        }

        // Load balancing's choice.
        proxy.ProxiedDestination = proxy.AvailableDestinations[0];
        Inspect?.Invoke(context);

        long sent = 0;
        int read;
        while ((read = await context.Request.Body.ReadAsync(_copyBuffer, context.RequestAborted)) > 0)
        {
            sent += read;
            Recorder?.Write(_copyBuffer, 0, read);
        }

        if (sent != context.Request.ContentLength)
        {
            throw new InvalidOperationException($"The upstream body was {sent} bytes; Content-Length said {context.Request.ContentLength}.");
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = Completion.Length;
        await response.Body.WriteAsync(Completion, context.RequestAborted);
        Forwarded++;
    }
}
