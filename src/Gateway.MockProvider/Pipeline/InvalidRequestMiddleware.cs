namespace LlmGateway.MockProvider.Pipeline;

/// <summary>Maps <see cref="InvalidRequestException"/> to an OpenAI-shaped 400 so handlers can simply throw.</summary>
internal sealed class InvalidRequestMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (InvalidRequestException exception) when (!context.Response.HasStarted)
        {
            await OpenAiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, exception.Message, OpenAiErrors.InvalidRequestType, exception.Code, exception.Param);
        }
    }
}
