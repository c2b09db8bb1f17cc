using LlmGateway.MockProvider.Behaviour;
using LlmGateway.MockProvider.Contracts;
using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Pipeline;
using LlmGateway.MockProvider.Requests;
using LlmGateway.MockProvider.Streaming;
using Microsoft.AspNetCore.Mvc;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary><c>POST /v1/chat/completions</c> and its Azure deployment twin.</summary>
internal static class ChatCompletionsEndpoint
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(
            "/v1/chat/completions",
            (HttpContext context, [FromServices] TokenCounter tokens, [FromServices] StreamedReplyWriter streams) =>
                HandleAsync(context, deployment: null, tokens, streams));
        routes.MapPost(
            "/openai/deployments/{deployment}/chat/completions",
            (HttpContext context, string deployment, [FromServices] TokenCounter tokens, [FromServices] StreamedReplyWriter streams) =>
                HandleAsync(context, deployment, tokens, streams));
    }

    private static async Task HandleAsync(HttpContext context, string? deployment, TokenCounter tokens, StreamedReplyWriter streams)
    {
        using var body = await RequestJson.ReadObjectAsync(context.Request);
        var request = ChatRequest.Parse(body.RootElement, deployment);
        var directives = BehaviourDirectives.Parse(request.Messages.Where(message => message.Role is "system" or "developer").Select(message => message.Text));
        var user = PromptMessage.LastText(request.Messages, "user");
        var key = user ?? string.Empty;
        if (await directives.DelayOrFailAsync(context, key))
        {
            return;
        }

        var system = PromptMessage.FirstText(request.Messages, "system");
        var reply = directives.Shape(
            MockKnobs.Of(context).Reply ?? ReplyText.ForChat(request.Model, system is null ? null : BehaviourDirectives.Strip(system), user),
            key);

        // Like a real provider, never more output than max_tokens allows.
        (reply, var cut) = tokens.Truncate(reply, request.MaxTokens);

        // No per-message framing overhead: prompt tokens are just the sum of each message's text.
        var usage = TokenUsage.Of(request.Messages.Sum(message => tokens.Count(message.Text)), tokens.Count(reply)).WithAudio(MockKnobs.Of(context).AudioTokens);
        var id = $"chatcmpl-mock-{MockIds.Next()}";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        if (request.Stream)
        {
            await streams.WriteAsync(context, new ChatChunkFormat(id, created, request.Model, request.IncludeUsage, usage), reply);
            return;
        }

        var completion = new ChatCompletion(
            id,
            "chat.completion",
            created,
            request.Model,
            [new ChatCompletionChoice(0, new AssistantMessage("assistant", reply), cut ? "length" : "stop")],
            usage);
        await JsonReplyWriter.WriteAsync(context, completion, MockJsonContext.Relaxed.ChatCompletion);
    }
}
