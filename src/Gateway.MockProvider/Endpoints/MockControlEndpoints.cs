using LlmGateway.MockProvider.Contracts;
using LlmGateway.MockProvider.Pipeline;
using Microsoft.AspNetCore.Mvc;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary>Out-of-band endpoints under /mock for tests and the standalone demo (never authenticated or recorded).</summary>
internal static class MockControlEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/mock/health", () => TypedResults.Text("ok"));

        routes.MapGet("/mock/requests", (string? tag, [FromServices] ReceivedRequestLog log) =>
            TypedResults.Json(tag is null ? log.Snapshot() : log.ForTag(tag), MockJsonContext.Relaxed.IReadOnlyListReceivedRequest));

        routes.MapPost("/mock/release/{token}", (string token, [FromServices] HoldRegistry holds) =>
        {
            holds.Release(token);
            return TypedResults.NoContent();
        });
    }
}
