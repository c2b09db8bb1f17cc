namespace LlmGateway.Errors;

internal static class ErrorsApplicationBuilderExtensions
{
    /// <summary>
    /// First in the pipeline, so every endpoint's unhandled exception, and every error status the framework answers
    /// with no body, gets the OpenAI error shape.
    /// </summary>
    public static IApplicationBuilder UseGatewayErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = UnhandledErrorResponder.RespondAsync })
            .UseStatusCodePages(EmptyErrorResponder.RespondAsync);
}
