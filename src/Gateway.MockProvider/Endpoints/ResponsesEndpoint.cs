using LlmGateway.MockProvider.Behaviour;
using LlmGateway.MockProvider.Contracts;
using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Pipeline;
using LlmGateway.MockProvider.Requests;
using LlmGateway.MockProvider.Streaming;
using Microsoft.AspNetCore.Mvc;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary>Minimal <c>POST /v1/responses</c>: one output message, as a body or as a stream of Responses API events.</summary>
internal static class ResponsesEndpoint
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost(
            "/v1/responses",
            (HttpContext context, [FromServices] TokenCounter tokens, [FromServices] StreamedReplyWriter streams) => HandleAsync(context, tokens, streams));

    private static async Task HandleAsync(HttpContext context, TokenCounter tokens, StreamedReplyWriter streams)
    {
        using var body = await RequestJson.ReadObjectAsync(context.Request);
        var request = ResponsesRequest.Parse(body.RootElement);
        var directives = BehaviourDirectives.Parse(
            request.Input.Where(message => message.Role is "system" or "developer").Select(message => message.Text).Prepend(request.Instructions));
        var user = PromptMessage.LastText(request.Input, "user");
        var key = user ?? string.Empty;
        if (await directives.DelayOrFailAsync(context, key))
        {
            return;
        }

        var reply = directives.Shape(
            MockKnobs.Of(context).Reply
                ?? ReplyText.ForChat(request.Model, request.SystemText is { } system ? BehaviourDirectives.Strip(system) : null, user),
            key);
        (reply, _) = tokens.Truncate(reply, request.MaxOutputTokens);
        var inputTokens = tokens.Count(request.Instructions ?? string.Empty) + request.Input.Sum(message => tokens.Count(message.Text));
        var outputTokens = tokens.Count(reply);
        var n = MockIds.Next();
        var usage = new ResponseUsage(inputTokens, outputTokens, inputTokens + outputTokens);
        var createdAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request.Stream)
        {
            await streams.WriteAsync(context, new ResponsesEventFormat($"resp_mock_{n}", $"msg_mock_{n}", createdAt, request.Model, reply, usage, request.Tools, request.Text), reply);
            return;
        }

        var response = new ModelResponse(
            $"resp_mock_{n}",
            "response",
            createdAt,
            "completed",
            request.Model,
            [new ResponseOutputMessage("message", $"msg_mock_{n}", "completed", "assistant", [new ResponseOutputText("output_text", reply, [])])],
            usage,
            request.Tools,
            request.Text);
        await JsonReplyWriter.WriteAsync(context, response, MockJsonContext.Relaxed.ModelResponse);
    }
}
