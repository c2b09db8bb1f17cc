using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Proxy;
using LlmGateway.Shadow;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Pipeline;

/// <summary>
/// Stage 1: authenticate, then read the body once (within its size limit) and scan it once. A
/// request that is not valid JSON with a model never reaches routing.
/// </summary>
internal sealed class AdmissionStage(RequestDelegate next, GatewayKeyAuthenticator authenticator, ShadowPrincipal shadow, KeyConcurrencyLimiter concurrency, IOptions<ProxyOptions> options)
{
    private readonly long _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    private readonly TimeSpan _bodyTimeout = options.Value.RequestBodyTimeout;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIds.Ensure(context);
        // Routes match without regard to case or a trailing slash: from here on the path is the route's own, so every
        // later check (prompt models on chat only, include_usage) and the provider's path read it one way.
        if (context.Features.Get<IReverseProxyFeature>()?.Route.Config.Match.Path is { } canonical && !string.Equals(context.Request.Path.Value, canonical, StringComparison.Ordinal))
        {
            context.Request.Path = canonical;
        }

        // The gateway's own shadow copies first: a feature only this process sets, no store.
        var authentication = shadow.TryAuthenticate(context) is { } shadowKey
            ? AuthenticationResult.Success(shadowKey)
            : await authenticator.AuthenticateAsync(context.Request);
        if (authentication.Error is { } authError)
        {
            await GatewayErrorWriter.WriteAsync(context, authError);
            return;
        }

        // Held until the request has ended, its stream included (the forward stage gives it back just before the
        // response's end, or, when the provider may still be generating for a client that left, later; disposing here
        // again is harmless, and does nothing while that later release is pending).
        using var slot = concurrency.Enter(authentication.Key!.Id);
        if (!slot.Acquired)
        {
            await GatewayErrorWriter.WriteAsync(context, concurrency.Refusal());
            return;
        }

        if (slot.HoldsPlace)
        {
            context.Features.Set(slot);
        }

        if (!JsonContentType.IsJson(context.Request.ContentType))
        {
            await GatewayErrorWriter.WriteAsync(context, GatewayError.UnsupportedMediaType(context.Request.ContentType));
            return;
        }

        var (body, bodyError) = await RequestBodyReader.ReadAsync(context.Request, _maxBodyBytes, _bodyTimeout, context.RequestAborted);
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
                await GatewayErrorWriter.WriteAsync(context, scan.Refusal);
                return;
            }

            if (string.IsNullOrWhiteSpace(scan.Model))
            {
                await GatewayErrorWriter.WriteAsync(context, GatewayError.MissingModel());
                return;
            }

            context.Features.Set(new AdmittedRequest(requestId, authentication.Key!, body, scan));
            await next(context);
        }
    }
}
