using LlmGateway.MockProvider.Pipeline;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary>Unknown provider URLs get an OpenAI-shaped 404 instead of an empty body, so mistakes are readable.</summary>
internal static class UnknownRouteEndpoint
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapFallback("/v1/{**path}", HandleAsync);
        routes.MapFallback("/openai/{**path}", HandleAsync);
    }

    private static Task HandleAsync(HttpContext context) => OpenAiErrors.WriteAsync(
        context,
        StatusCodes.Status404NotFound,
        $"Invalid URL ({context.Request.Method} {context.Request.Path}): the mock provider has no such endpoint.",
        OpenAiErrors.InvalidRequestType);
}
