using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Providers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Proxy;

/// <summary>
/// The gateway's part of the YARP pipeline: authenticate, read and check the body once,
/// resolve the model, rewrite what must change, pick the provider's cluster, and turn
/// forwarding failures into OpenAI-shaped errors. Nothing reaches a provider unless all
/// checks pass.
/// </summary>
internal sealed class GatewayRequestMiddleware(
    RequestDelegate next,
    GatewayKeyAuthenticator authenticator,
    ModelCatalog catalog,
    IProxyStateLookup proxyState,
    IOptions<ProxyOptions> options,
    ILogger<GatewayRequestMiddleware> logger)
{
    private readonly long _maxBodyBytes = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIds.Ensure(context);
        var authentication = await authenticator.AuthenticateAsync(context.Request);
        if (authentication.Error is { } authError)
        {
            await GatewayErrorWriter.WriteAsync(context, authError);
            return;
        }

        if (!JsonContentType.IsJson(context.Request.ContentType))
        {
            await GatewayErrorWriter.WriteAsync(context, GatewayError.UnsupportedMediaType(context.Request.ContentType));
            return;
        }

        var (body, bodyError) = await RequestBodyReader.ReadAsync(context.Request, _maxBodyBytes, context.RequestAborted);
        if (bodyError is not null)
        {
            await GatewayErrorWriter.WriteAsync(context, bodyError);
            return;
        }

        using (body)
        {
            var scan = RequestBodyScanner.Scan(body!.WrittenSpan);
            if (!scan.IsValid)
            {
                await GatewayErrorWriter.WriteAsync(context, GatewayError.InvalidJson(scan.Error!));
                return;
            }

            if (string.IsNullOrWhiteSpace(scan.Model))
            {
                await GatewayErrorWriter.WriteAsync(context, GatewayError.MissingModel());
                return;
            }

            if (!catalog.TryGetModel(scan.Model, out var model))
            {
                await GatewayErrorWriter.WriteAsync(context, GatewayError.ModelNotFound(scan.Model));
                return;
            }

            if (!proxyState.TryGetCluster(model.Provider.ClusterId, out var cluster))
            {
                await GatewayErrorWriter.WriteAsync(context, GatewayError.UpstreamUnavailable(model.Provider.Name));
                return;
            }

            using var rewritten = model.NeedsRename ? new PooledBuffer(body.Length + model.UpstreamModelJson.Length) : null;
            if (rewritten is not null)
            {
                ModelSplicer.Splice(body.WrittenSpan, scan, model.UpstreamModelJson.Span, rewritten);
            }

            var forwarded = rewritten ?? body;
            var originalBody = context.Request.Body;
            context.Request.Body = forwarded.AsStream();
            context.Request.ContentLength = forwarded.Length;
            context.Request.Headers.Remove(HeaderNames.TransferEncoding);

            context.Features.Set(new GatewayRequestFeature(requestId, authentication.Key!, model, scan.Stream));
            context.ReassignProxyRequest(cluster);
            try
            {
                await next(context);
            }
            finally
            {
                context.Request.Body = originalBody;
            }

            await TranslateForwarderErrorAsync(context, model.Provider);
        }
    }

    private Task TranslateForwarderErrorAsync(HttpContext context, Provider provider)
    {
        var failure = context.GetForwarderErrorFeature();
        if (failure is null || context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        ProxyLog.ForwardFailed(logger, provider.Name, failure.Error, failure.Exception?.GetType().Name ?? "none");
        var error = failure.Error switch
        {
            ForwarderError.RequestTimedOut => GatewayError.UpstreamTimeout(provider.Name),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled => null,
            ForwarderError.Request or ForwarderError.NoAvailableDestinations => GatewayError.UpstreamUnavailable(provider.Name),
            _ => GatewayError.UpstreamFailed(provider.Name),
        };

        return error is null ? Task.CompletedTask : GatewayErrorWriter.WriteAsync(context, error);
    }
}
