using LlmGateway.MockProvider.Contracts;
using LlmGateway.MockProvider.Generation;
using LlmGateway.MockProvider.Pipeline;
using LlmGateway.MockProvider.Requests;
using Microsoft.AspNetCore.Mvc;

namespace LlmGateway.MockProvider.Endpoints;

/// <summary>Minimal non-streaming <c>POST /v1/responses</c>.</summary>
internal static class ResponsesEndpoint
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapPost("/v1/responses", (HttpContext context, [FromServices] TokenCounter tokens) => HandleAsync(context, tokens));

    private static async Task HandleAsync(HttpContext context, TokenCounter tokens)
    {
        using var body = await RequestJson.ReadObjectAsync(context.Request);
        var request = ResponsesRequest.Parse(body.RootElement);
        if (request.Stream)
        {
            throw new InvalidRequestException("The mock provider does not stream /v1/responses; send stream=false.");
        }

        var reply = MockKnobs.Of(context).Reply
            ?? ReplyText.ForChat(request.Model, request.SystemText, PromptMessage.LastText(request.Input, "user"));
        var inputTokens = tokens.Count(request.Instructions ?? string.Empty) + request.Input.Sum(message => tokens.Count(message.Text));
        var outputTokens = tokens.Count(reply);
        var n = MockIds.Next();

        var response = new ModelResponse(
            $"resp_mock_{n}",
            "response",
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            "completed",
            request.Model,
            [new ResponseOutputMessage("message", $"msg_mock_{n}", "completed", "assistant", [new ResponseOutputText("output_text", reply, [])])],
            new ResponseUsage(inputTokens, outputTokens, inputTokens + outputTokens));
        await context.Response.WriteAsJsonAsync(response, MockJsonContext.Relaxed.ModelResponse, contentType: null, context.RequestAborted);
    }
}
