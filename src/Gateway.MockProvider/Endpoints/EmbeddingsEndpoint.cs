using LlmGateway.MockProvider.Contracts;
using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Requests;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary><c>POST /v1/embeddings</c> and its Azure deployment twin: one deterministic unit vector per input.</summary>
internal static class EmbeddingsEndpoint
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(
            "/v1/embeddings",
            (HttpContext context, [FromServices] TokenCounter tokens, [FromServices] IOptions<MockProviderOptions> options) =>
                HandleAsync(context, deployment: null, tokens, options.Value));
        routes.MapPost(
            "/openai/deployments/{deployment}/embeddings",
            (HttpContext context, string deployment, [FromServices] TokenCounter tokens, [FromServices] IOptions<MockProviderOptions> options) =>
                HandleAsync(context, deployment, tokens, options.Value));
    }

    private static async Task HandleAsync(HttpContext context, string? deployment, TokenCounter tokens, MockProviderOptions options)
    {
        using var body = await RequestJson.ReadObjectAsync(context.Request);
        var request = EmbeddingRequest.Parse(body.RootElement, deployment);
        var dimensions = request.Dimensions ?? options.EmbeddingDimensions;
        var vectors = request.Inputs.Select(input => EmbeddingVectors.For(input.Text, dimensions)).ToList();
        var promptTokens = request.Inputs.Sum(input => input.KnownTokenCount ?? tokens.Count(input.Text));
        var usage = new EmbeddingUsage(promptTokens, promptTokens);

        // Two closed generic shapes because the vector is a JSON array for "float" but a string for "base64".
        if (request.Base64)
        {
            var list = ListOf(vectors.Select(EmbeddingVectors.ToBase64), request.Model, usage);
            await context.Response.WriteAsJsonAsync(list, MockJsonContext.Relaxed.Base64EmbeddingList, contentType: null, context.RequestAborted);
        }
        else
        {
            var list = ListOf(vectors, request.Model, usage);
            await context.Response.WriteAsJsonAsync(list, MockJsonContext.Relaxed.FloatEmbeddingList, contentType: null, context.RequestAborted);
        }
    }

    private static EmbeddingList<TVector> ListOf<TVector>(IEnumerable<TVector> vectors, string model, EmbeddingUsage usage) =>
        new("list", vectors.Select((vector, index) => new EmbeddingItem<TVector>("embedding", index, vector)).ToList(), model, usage);
}
