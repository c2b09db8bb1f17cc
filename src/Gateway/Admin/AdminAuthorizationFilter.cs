using LlmGateway.Audit;
using LlmGateway.Errors;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary>
/// Guards <c>/admin/v1</c>: a known token, holding the endpoint's role. It also audits every
/// change and every refused attempt, in one place, from the endpoint's name and route values.
/// </summary>
internal sealed class AdminAuthorizationFilter(AdminTokenRegistry tokens, AuditLog audit) : IEndpointFilter
{
    public const string UnknownActor = "(unauthenticated)";

    private static readonly string[] TargetKeys = ["name", "version", "environment", "id"];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        var role = endpoint?.Metadata.GetMetadata<RequiresAdminRoleAttribute>()?.Role ?? AdminRoles.Viewer;
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? http.Request.Path.Value ?? "";
        var target = Target(http);
        var audited = !HttpMethods.IsGet(http.Request.Method);

        if (!tokens.IsEnabled)
        {
            return await RefuseAsync(UnknownActor, action, target, audited, new GatewayError(StatusCodes.Status403Forbidden,
                new OpenAiError("The admin API is disabled. Configure Gateway:Admin:Tokens to enable it.", "permission_error", null, "admin_disabled")));
        }

        var presented = Auth.BearerToken.Read(http.Request);
        var principal = presented.Length == 0 ? null : tokens.Find(presented);
        if (principal is null)
        {
            // Refused change attempts are audited; refused reads are not, so anonymous GETs cannot
            // flood the trimmed audit log and push real entries out.
            return await RefuseAsync(UnknownActor, action, target, audited, presented.Length == 0 ? GatewayError.MissingApiKey() : GatewayError.InvalidApiKey());
        }

        if (!principal.IsIn(role))
        {
            return await RefuseAsync(principal.Name, action, target, audited: true, new GatewayError(StatusCodes.Status403Forbidden,
                new OpenAiError($"'{principal.Name}' lacks the '{role}' role needed here.", "permission_error", null, "missing_role")));
        }

        http.Items[typeof(AdminPrincipal)] = principal;
        object? result;
        try
        {
            result = await next(context);
        }
        catch (Exception ex) when (audited && ex is not OperationCanceledException)
        {
            // A failure after a change may have been applied must still leave a trace.
            await audit.RecordAsync(principal.Name, action, target, StatusCodes.Status500InternalServerError, $"failed: {ex.GetType().Name}");
            throw;
        }

        if (audited)
        {
            var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
            var detail = (result as IValueHttpResult)?.Value is OpenAiErrorEnvelope envelope ? $"{envelope.Error.Code}: {envelope.Error.Message}" : null;
            await audit.RecordAsync(principal.Name, action, target, status, detail);
        }

        return result;
    }

    /// <summary>The caller, set by this filter for the handlers.</summary>
    public static AdminPrincipal Principal(HttpContext context) =>
        (AdminPrincipal)context.Items[typeof(AdminPrincipal)]!;

    private async Task<IResult> RefuseAsync(string actor, string action, string target, bool audited, GatewayError error)
    {
        if (audited)
        {
            await audit.RecordAsync(actor, action, target, error.StatusCode, $"{error.Body.Code}: {error.Body.Message}");
        }

        return Results.Json(new OpenAiErrorEnvelope(error.Body), GatewayJsonContext.Default.OpenAiErrorEnvelope, statusCode: error.StatusCode);
    }

    private static string Target(HttpContext http)
    {
        var values = http.Request.RouteValues;
        var parts = TargetKeys
            .Where(values.ContainsKey)
            .Select(k => $"{k}={values[k]}");
        var joined = string.Join(" ", parts);
        return joined.Length > 0 ? joined : http.Request.Path.Value ?? "";
    }

}
