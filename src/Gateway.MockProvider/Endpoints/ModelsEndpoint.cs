using LlmGateway.MockProvider.Contracts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary><c>GET /v1/models</c> from <see cref="MockProviderOptions.Models"/>.</summary>
internal static class ModelsEndpoint
{
    // Fixed so the listing is byte-for-byte stable across runs.
    private const long CreatedAt = 1_700_000_000;

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet("/v1/models", ([FromServices] IOptions<MockProviderOptions> options) =>
            TypedResults.Json(
                new ModelList("list", options.Value.Models.Select(model => new ModelEntry(model, "model", CreatedAt, "mock")).ToList()),
                MockJsonContext.Relaxed.ModelList));
}
