namespace LlmGateway.Errors;

internal static class ErrorsApplicationBuilderExtensions
{
    /// <summary>First in the pipeline, so every endpoint's unhandled exception gets the OpenAI error shape.</summary>
    public static IApplicationBuilder UseGatewayErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = UnhandledErrorResponder.RespondAsync });
}
