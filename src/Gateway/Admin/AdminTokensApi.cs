using System.Text.RegularExpressions;
using LlmGateway.Audit;
using LlmGateway.Auth;
using LlmGateway.Contracts.AdminTokens;
using LlmGateway.Errors;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary>
/// <c>/admin/v1/admin-tokens</c>: issue, list and revoke admin tokens, so operators rotate credentials without a
/// restart. Operators only; a token can be given only roles its issuer holds. The configuration tokens are listed
/// (source <c>configuration</c>) but are removed by editing the configuration, not here.
/// </summary>
internal static partial class AdminTokensApi
{
    public static RouteGroupBuilder MapAdminTokensApi(this RouteGroupBuilder admin)
    {
        var tokens = admin.MapGroup("/admin-tokens").WithTags("Admin tokens");
        tokens.MapPost("/", IssueAsync).Accepts<IssueAdminTokenRequest>("application/json").Produces<IssuedAdminTokenResponse>(StatusCodes.Status201Created)
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("IssueAdminToken")
            .WithSummary("Issue an admin token. The secret is returned once; roles are limited to the caller's own.");
        tokens.MapGet("/", List).Produces<AdminTokenRecord[]>()
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("ListAdminTokens")
            .WithSummary("List admin tokens, configured and issued (never their secrets).");
        tokens.MapDelete("/{id}", RevokeAsync)
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("RevokeAdminToken")
            .WithSummary("Revoke an issued admin token, on every instance at once.");
        return admin;
    }

    private static async Task<IResult> IssueAsync(HttpContext http, AdminTokenStore store, AdminTokenRegistry registry)
    {
        // Read strictly, as every admin body: a misspelt field ("role") must not issue a token other than the one asked for.
        var (request, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.IssueAdminTokenRequest, new IssueAdminTokenRequest(null, null));
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(request!.Name) || !NamePattern().IsMatch(request.Name))
        {
            return Invalid("'name' is required: letters, digits, '.', '_' or '-', up to 64 characters.", "name");
        }

        if (ReservedActorNames.IsReserved(request.Name))
        {
            return Invalid($"'{request.Name}' is a name the gateway itself acts under; choose another.", "name");
        }

        var roles = (request.Roles ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
        {
            return Invalid($"'roles' must name at least one of {string.Join(", ", AdminRoles.All)}.", "roles");
        }

        var unknown = roles.Where(r => !AdminRoles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
        {
            return Invalid($"Unknown roles: {string.Join(", ", unknown)}. Known: {string.Join(", ", AdminRoles.All)}.", "roles");
        }

        var caller = AdminAuthorizationFilter.Principal(http);
        var beyond = roles.Where(r => !caller.IsIn(r)).ToList();
        if (beyond.Count > 0)
        {
            // No escalation: a token carries at most what its issuer holds.
            return Error(StatusCodes.Status403Forbidden, new OpenAiError(
                $"'{caller.Name}' cannot grant roles it does not hold: {string.Join(", ", beyond)}.", "permission_error", "roles", "role_not_held"));
        }

        if (!registry.IsNameFree(request.Name, caller.Name))
        {
            return Error(StatusCodes.Status409Conflict, new OpenAiError(
                $"'{request.Name}' is the name of a token someone else holds; a token acts under its name in history and approvals. Choose another.",
                "invalid_request_error", "name", "name_taken"));
        }

        var (record, hash, secret) = await store.IssueAsync(request.Name, roles, caller.Name);
        registry.Add(hash, record);
        AuditDetail.Set(http, $"issued {record.Id} name={record.Name} roles={string.Join(",", record.Roles)}");
        return Results.Json(new IssuedAdminTokenResponse(secret, record), GatewayJsonContext.Default.IssuedAdminTokenResponse, statusCode: StatusCodes.Status201Created);
    }

    private static IResult List(AdminTokenRegistry registry) =>
        Results.Json(registry.List().ToArray(), GatewayJsonContext.Default.AdminTokenRecordArray);

    private static async Task<IResult> RevokeAsync(string id, AdminTokenStore store, AdminTokenRegistry registry)
    {
        // A configuration token can be any string: one the registry knows is a secret, whatever its shape.
        if (registry.IsSecret(id))
        {
            return SecretNotId.Result("admin token", "adm_", "/admin/v1/admin-tokens");
        }

        if (registry.List().Any(t => t.Id == id && t.Source == AdminTokenRecord.ConfigurationSource))
        {
            return Error(StatusCodes.Status409Conflict, new OpenAiError(
                $"'{id}' is a configuration token: remove it from Gateway:Admin:Tokens and restart.", "invalid_request_error", "id", "configured_token"));
        }

        var hash = await store.RevokeAsync(id);
        if (hash is null)
        {
            return Error(StatusCodes.Status404NotFound, new OpenAiError($"No issued admin token has id '{id}'.", "invalid_request_error", "id", "admin_token_not_found"));
        }

        // Refused here from now on; other instances drop it when the published change reaches them.
        registry.Evict(hash);
        return Results.NoContent();
    }

    private static IResult Invalid(string message, string param)
    {
        var error = GatewayError.InvalidRequest(message, param, "invalid_value");
        return Results.Json(new OpenAiErrorEnvelope(error.Body), GatewayJsonContext.Default.OpenAiErrorEnvelope, statusCode: error.StatusCode);
    }

    private static IResult Error(int status, OpenAiError error) =>
        Results.Json(new OpenAiErrorEnvelope(error), GatewayJsonContext.Default.OpenAiErrorEnvelope, statusCode: status);

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex NamePattern();
}
