using System.Security.Cryptography;
using System.Text;
using LlmGateway.Errors;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace LlmGateway.Admin;

/// <summary>Lets a request into <c>/admin/v1</c> only with the configured admin token.</summary>
internal sealed class AdminAuthorizationFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    private readonly byte[]? _tokenHash = string.IsNullOrEmpty(options.Value.Token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Token));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (_tokenHash is null)
        {
            return Results.Json(
                new OpenAiErrorEnvelope(new OpenAiError("The admin API is disabled. Set Gateway:Admin:Token to enable it.", "permission_error", null, "admin_disabled")),
                Serialization.GatewayJsonContext.Default.OpenAiErrorEnvelope,
                statusCode: StatusCodes.Status403Forbidden);
        }

        var header = http.Request.Headers[HeaderNames.Authorization].ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";

        // Compare hashes in constant time so response timing says nothing about the token.
        if (presented.Length == 0 || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _tokenHash))
        {
            var error = presented.Length == 0 ? GatewayError.MissingApiKey() : GatewayError.InvalidApiKey();
            return Results.Json(new OpenAiErrorEnvelope(error.Body), Serialization.GatewayJsonContext.Default.OpenAiErrorEnvelope, statusCode: error.StatusCode);
        }

        return await next(context);
    }
}
