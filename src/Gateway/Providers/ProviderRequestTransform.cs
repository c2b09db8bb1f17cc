using LlmGateway.Pipeline;
using LlmGateway.Proxy;
using LlmGateway.Resilience;
using LlmGateway.Routing;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Transforms;

namespace LlmGateway.Providers;

/// <summary>
/// Makes the outgoing request the provider's: the client's gateway key is removed and the
/// provider's key injected, and the path is mapped to the provider's layout.
/// </summary>
internal static class ProviderRequestTransform
{
    // Client credentials and OpenAI account headers describe the caller's account, not ours.
    private static readonly string[] ClientOnlyHeaders = ["Authorization", "api-key", "OpenAI-Organization", "OpenAI-Project"];

    public static ValueTask ApplyAsync(RequestTransformContext context)
    {
        // The attempt's model, which is a fallback's when the first model could not serve.
        var model = context.HttpContext.Features.GetRequiredFeature<IUpstreamAttemptFeature>().Model;
        var provider = model.Provider;

        foreach (var header in ClientOnlyHeaders)
        {
            context.ProxyRequest.Headers.Remove(header);
        }

        provider.ApplyCredentials(context.ProxyRequest, context.DestinationPrefix);

        context.Path = provider.MapPath(context.Path.Value ?? "", model.UpstreamModel);
        provider.AddRequiredQuery(context.Query.Collection);
        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps the provider's request id under its own name; ours stays <c>X-Request-Id</c>.</summary>
    public static ValueTask ApplyResponseAsync(ResponseTransformContext context)
    {
        var response = context.HttpContext.Response;

        // These name the gateway's provider account, which is not the client's business.
        response.Headers.Remove("openai-organization");
        response.Headers.Remove("openai-project");
        if (context.ProxyResponse?.Headers.TryGetValues("x-request-id", out var upstreamIds) == true)
        {
            response.Headers[RequestIds.UpstreamHeader] = upstreamIds.FirstOrDefault();
        }

        if (context.HttpContext.Features.Get<LlmExchange>() is { } exchange)
        {
            // The provider's headers were copied over ours: put the gateway's back.
            response.Headers[RequestIds.Header] = exchange.RequestId;
            if (exchange.Prompt is { } prompt)
            {
                PromptResponseHeaders.Apply(response.Headers, prompt);
            }
        }

        return ValueTask.CompletedTask;
    }
}
