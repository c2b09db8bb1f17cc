using Microsoft.Extensions.Options;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>When <see cref="MockProviderOptions.ApiKey"/> is set, accepts either OpenAI (Bearer) or Azure (api-key) auth.</summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<MockProviderOptions> options)
{
    private const string BearerPrefix = "Bearer ";

    public Task InvokeAsync(HttpContext context)
    {
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected) || Carries(context.Request, expected))
        {
            return next(context);
        }

        return OpenAiErrors.WriteAsync(
            context,
            StatusCodes.Status401Unauthorized,
            "Incorrect API key provided to the mock provider.",
            OpenAiErrors.InvalidRequestType,
            "invalid_api_key");
    }

    private static bool Carries(HttpRequest request, string expected)
    {
        var authorization = request.Headers.Authorization.ToString();
        var bearerMatches = authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            && authorization.AsSpan(BearerPrefix.Length).SequenceEqual(expected);
        return bearerMatches || string.Equals(request.Headers["api-key"].ToString(), expected, StringComparison.Ordinal);
    }
}
