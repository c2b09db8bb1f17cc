using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Serialization;

namespace LlmGateway.Providers;

/// <summary><c>GET /v1/models</c>: the catalog, in OpenAI's list shape. Answered locally, not proxied.</summary>
internal static class ModelsEndpoint
{
    public static IEndpointRouteBuilder MapModelsEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/models", ListAsync).ExcludeFromDescription();
        endpoints.MapGet("/v1/models/{**model}", GetAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task ListAsync(HttpContext context, GatewayKeyAuthenticator authenticator, ModelCatalog catalog)
    {
        if (await AuthenticateAsync(context, authenticator))
        {
            var list = new ModelList("list", [.. catalog.Models.Select(Describe)]);
            await context.Response.WriteAsJsonAsync(list, GatewayJsonContext.Default.ModelList, contentType: null, context.RequestAborted);
        }
    }

    private static async Task GetAsync(HttpContext context, string model, GatewayKeyAuthenticator authenticator, ModelCatalog catalog)
    {
        if (!await AuthenticateAsync(context, authenticator))
        {
            return;
        }

        if (!catalog.TryGetModel(model, out var found))
        {
            await GatewayErrorWriter.WriteAsync(context, GatewayError.ModelNotFound(model));
            return;
        }

        await context.Response.WriteAsJsonAsync(Describe(found), GatewayJsonContext.Default.ModelDescription, contentType: null, context.RequestAborted);
    }

    private static async Task<bool> AuthenticateAsync(HttpContext context, GatewayKeyAuthenticator authenticator)
    {
        Proxy.RequestIds.Ensure(context);
        var result = await authenticator.AuthenticateAsync(context.Request);
        if (result.Error is { } error)
        {
            await GatewayErrorWriter.WriteAsync(context, error);
            return false;
        }

        return true;
    }

    // A fixed epoch: the catalog has no creation time, and a stable value keeps responses cacheable.
    private static ModelDescription Describe(CatalogModel model) => new(model.Name, "model", 1_700_000_000, model.OwnedBy);
}
