using System.Diagnostics;
using System.Net.Http.Headers;
using LlmGateway.Proxy;
using LlmGateway.Resilience;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace LlmGateway.Providers;

/// <summary>
/// Makes the outgoing request the provider's, and the response the client's. YARP copies no header either way
/// (<see cref="Configure"/>): the request carries only the client headers the provider's allow-list names, plus the
/// provider's own key; the response carries back only the provider headers its allow-list names, so cookies,
/// account, organisation and rate-limit headers stay on the provider's side. The path is mapped to the provider's
/// layout.
/// </summary>
internal static class ProviderRequestTransform
{
    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";
    private const string AcceptEncoding = "Accept-Encoding";
    private const string Identity = "identity";

    /// <summary>Every route: no header copied by YARP, no <c>X-Forwarded-*</c> added, no trailers returned.</summary>
    public static void Configure(TransformBuilderContext context)
    {
        context.CopyRequestHeaders = false;
        context.CopyResponseHeaders = false;
        context.CopyResponseTrailers = false;
        context.UseDefaultForwarders = false;
        context.AddRequestTransform(ApplyAsync);
        context.AddResponseTransform(ApplyResponseAsync);
    }

    public static ValueTask ApplyAsync(RequestTransformContext context)
    {
        // The attempt's model, which is a fallback's when the first model could not serve.
        var model = context.HttpContext.Features.GetRequiredFeature<IUpstreamAttemptFeature>().Model;
        var provider = model.Provider;

        var allowed = provider.RequestHeaders;
        foreach (var (name, value) in context.HttpContext.Request.Headers)
        {
            if (allowed.Allows(name))
            {
                RequestTransform.AddHeader(context, name, value);
            }
        }

        // Without Accept-Encoding any coding is acceptable (RFC 9110 §12.5.3): say identity, so the body can be read.
        context.ProxyRequest.Headers.TryAddWithoutValidation(AcceptEncoding, Identity);

        if (Activity.Current is null)
        {
            PassOnTraceContext(context.HttpContext.Request.Headers, context.ProxyRequest.Headers);
        }

        provider.ApplyCredentials(context.ProxyRequest, context.DestinationPrefix);

        context.Path = provider.MapPath(context.Path.Value ?? "", model.UpstreamModel);
        if (provider.RequiresQuery)
        {
            provider.AddRequiredQuery(context.Query.Collection);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// With tracing off the request has no Activity (<c>TelemetryExtensions</c>), so HttpClient writes no trace context:
    /// a client's own is passed on, rebuilt from what it parsed to as W3C's (as the Activity would have read it), with
    /// a <c>tracestate</c> of W3C's 512 characters at most. Not when the provider's allow-list already forwarded a
    /// <c>traceparent</c> as it came (configured so). With an Activity, HttpClient writes the Activity's.
    /// </summary>
    internal static void PassOnTraceContext(IHeaderDictionary client, HttpRequestHeaders upstream)
    {
        if (client.TryGetValue(TraceParent, out var parent) && parent.Count == 1 && parent[0] is { } traceParent
            && !upstream.Contains(TraceParent)
            && ActivityContext.TryParse(traceParent, null, out var context))
        {
            upstream.TryAddWithoutValidation(TraceParent, $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{(byte)context.TraceFlags:x2}");
            if (!upstream.Contains(TraceState) && client.TryGetValue(TraceState, out var state) && state.Count == 1 && state[0] is { Length: > 0 and <= Telemetry.TraceContextOnlyPropagator.MaxTraceStateLength } traceState)
            {
                upstream.TryAddWithoutValidation(TraceState, traceState);
            }
        }
    }

    /// <summary>Returns the allowed provider headers; the provider's request id becomes <c>X-Upstream-Request-Id</c> (ours stays <c>X-Request-Id</c>).</summary>
    public static ValueTask ApplyResponseAsync(ResponseTransformContext context)
    {
        if (context.ProxyResponse is not { } upstream
            || context.HttpContext.Features.Get<IUpstreamAttemptFeature>()?.Model.Provider is not { } provider)
        {
            return ValueTask.CompletedTask;
        }

        var response = context.HttpContext.Response;
        var allowed = provider.ResponseHeaders;

        // A length next to chunked framing is a lie one of them tells: keep neither (Kestrel frames the body itself).
        var chunked = upstream.Headers.TransferEncodingChunked == true;
        Copy(upstream.Headers, response.Headers, allowed, chunked);
        Copy(upstream.Content.Headers, response.Headers, allowed, chunked);
        if (upstream.Headers.NonValidated.TryGetValues(RequestIds.Header, out var upstreamIds) && upstreamIds.Count > 0)
        {
            response.Headers[RequestIds.UpstreamHeader] = upstreamIds.First();
        }

        return ValueTask.CompletedTask;
    }

    private static void Copy(HttpHeaders from, IHeaderDictionary to, HeaderAllowList allowed, bool chunked)
    {
        foreach (var (name, values) in from.NonValidated)
        {
            if (!allowed.Allows(name) || (chunked && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            to[name] = values.Count == 1 ? new StringValues(values.ToString()) : new StringValues([.. values]);
        }
    }
}
