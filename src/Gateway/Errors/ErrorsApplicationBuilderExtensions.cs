namespace LlmGateway.Errors;

internal static class ErrorsApplicationBuilderExtensions
{
    /// <summary>
    /// First in the pipeline, so every endpoint's unhandled exception, and every error status the framework answers
    /// with no body, gets the OpenAI error shape.
    /// </summary>
    public static IApplicationBuilder UseGatewayErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = UnhandledErrorResponder.RespondAsync })
            // Not around a proxied request: the middleware allocates a feature per request (about 0.14 KB on plain chat,
            // measured), and a provider's answer is never the gateway's to reshape anyway. The endpoint is already
            // matched here (WebApplication routes first).
            .UseWhen(EmptyErrorResponder.MayApply, branch => branch.UseStatusCodePages(EmptyErrorResponder.RespondAsync));
}
