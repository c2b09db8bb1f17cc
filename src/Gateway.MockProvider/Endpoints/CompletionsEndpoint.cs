using LlmGateway.MockProvider.Behaviour;
using LlmGateway.MockProvider.Contracts;
using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Pipeline;
using LlmGateway.MockProvider.Requests;
using LlmGateway.MockProvider.Streaming;
using Microsoft.AspNetCore.Mvc;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary>Legacy <c>POST /v1/completions</c> (and the Azure deployment twin).</summary>
internal static class CompletionsEndpoint
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(
            "/v1/completions",
            (HttpContext context, [FromServices] TokenCounter tokens, [FromServices] StreamedReplyWriter streams) =>
                HandleAsync(context, deployment: null, tokens, streams));
        routes.MapPost(
            "/openai/deployments/{deployment}/completions",
            (HttpContext context, string deployment, [FromServices] TokenCounter tokens, [FromServices] StreamedReplyWriter streams) =>
                HandleAsync(context, deployment, tokens, streams));
    }

    private static async Task HandleAsync(HttpContext context, string? deployment, TokenCounter tokens, StreamedReplyWriter streams)
    {
        using var body = await RequestJson.ReadObjectAsync(context.Request);
        var request = CompletionRequest.Parse(body.RootElement, deployment);
        var directives = BehaviourDirectives.Parse([request.Prompt]);

        // The prompt holds both the directives and the user's text; the draw keys on the text alone.
        var prompt = BehaviourDirectives.Strip(request.Prompt);
        if (await directives.DelayOrFailAsync(context, prompt))
        {
            return;
        }

        var reply = directives.Shape(MockKnobs.Of(context).Reply ?? ReplyText.ForCompletion(request.Model, prompt), prompt);
        (reply, var cut) = tokens.Truncate(reply, request.MaxTokens);
        var usage = TokenUsage.Of(tokens.Count(request.Prompt), tokens.Count(reply));
        var id = $"cmpl-mock-{MockIds.Next()}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        if (request.Stream)
        {
            await streams.WriteAsync(context, new CompletionChunkFormat(id, created, request.Model, request.IncludeUsage, usage), reply);
            return;
        }

        var completion = new TextCompletion(
            id,
            "text_completion",
            created,
            request.Model,
            [new TextCompletionChoice(reply, 0, cut ? "length" : "stop", Logprobs: null)],
            usage);
        await JsonReplyWriter.WriteAsync(context, completion, MockJsonContext.Relaxed.TextCompletion);
    }
}
