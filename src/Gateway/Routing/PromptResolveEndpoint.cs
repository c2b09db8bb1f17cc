using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Proxy;
using LlmGateway.Serialization;

namespace LlmGateway.Routing;

/// <summary>
/// <c>GET /v1/prompts/{name}/resolve</c>: for apps that render prompts themselves or do their own
/// retrieval, the bundle (templates, params, <c>retrieval</c>) this caller would get right now. Same
/// key auth and the same stickiness inputs as a chat request: <c>X-Session-Id</c>, else <c>?user=</c>,
/// else the key; <c>X-Prompt-Version</c> pins for keys allowed to (approved versions only in a protected
/// environment). The templates are the product's IP, so the key needs the <c>resolve</c> permission.
/// </summary>
internal static class PromptResolveEndpoint
{
    public static IEndpointRouteBuilder MapPromptResolveEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/prompts/{name}/resolve", ResolveAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ResolveAsync(HttpContext context, string name, string? user, GatewayKeyAuthenticator authenticator, PromptRouter router)
    {
        RequestIds.Ensure(context);
        var authentication = await authenticator.AuthenticateAsync(context.Request);
        if (authentication.Error is { } authError)
        {
            await GatewayErrorWriter.WriteAsync(context, authError);
            return;
        }

        // The bundle is the product's templates: only keys granted 'resolve' may read it.
        if (!authentication.Key!.Has(GatewayKeyPermissions.Resolve))
        {
            await GatewayErrorWriter.WriteAsync(context, new GatewayError(StatusCodes.Status403Forbidden, new OpenAiError(
                "This key may not read prompt bundles; it needs the 'resolve' permission.", "permission_error", null, "resolve_not_permitted")));
            return;
        }

        var (selection, error) = await router.SelectAsync(context.Request, authentication.Key, name, user);
        if (error is not null)
        {
            await GatewayErrorWriter.WriteAsync(context, error);
            return;
        }

        var bundle = selection!.Bundle;
        PromptResponseHeaders.Apply(context.Response.Headers, selection);
        await context.Response.WriteAsJsonAsync(
            new ResolvedPrompt(bundle.Name, selection.Environment, bundle.Version, selection.Variant, bundle.Model.UpstreamModel, bundle.Bundle),
            GatewayJsonContext.Default.ResolvedPrompt,
            contentType: null,
            context.RequestAborted);
    }
}
