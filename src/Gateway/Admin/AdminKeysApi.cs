using System.Text.RegularExpressions;
using LlmGateway.Audit;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Errors;
using LlmGateway.Releases;
using LlmGateway.Serialization;
using Microsoft.Extensions.Options;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/keys</c>: issue, list and revoke gateway keys.</summary>
internal static partial class AdminKeysApi
{
    public static RouteGroupBuilder MapAdminKeysApi(this RouteGroupBuilder admin)
    {
        var keys = admin.MapGroup("/keys").WithTags("Keys");
        keys.MapPost("/", CreateAsync).Accepts<CreateKeyRequest>("application/json").Produces<CreatedKeyResponse>(StatusCodes.Status201Created)
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("CreateKey").WithSummary("Issue a gateway key. The secret is returned once.");
        keys.MapGet("/", ListAsync).Produces<GatewayKey[]>().WithName("ListKeys").WithSummary("List gateway keys (never their secrets).");
        keys.MapDelete("/{id}", RevokeAsync).WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator)).WithName("RevokeKey").WithSummary("Revoke a gateway key.");
        return admin;
    }

    private static async Task<IResult> CreateAsync(HttpRequest http, GatewayKeyStore store, IOptions<ReleaseOptions> releases)
    {
        // Read strictly, as every admin body: a misspelt field ("limit", "Limits", "daily_usd") would otherwise be dropped
        // and issue a key without the budget it asked for.
        var (request, error) = await AdminRequestBody.ReadAsync(http, AdminInputJsonContext.Default.CreateKeyRequest, new CreateKeyRequest(null, null, null));
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrWhiteSpace(request!.App) || !NamePattern().IsMatch(request.App))
        {
            return Invalid("'app' is required: letters, digits, '.', '_' or '-', up to 64 characters.", "app");
        }

        if (string.IsNullOrWhiteSpace(request.Environment) || !NamePattern().IsMatch(request.Environment))
        {
            return Invalid("'environment' is required: letters, digits, '.', '_' or '-', up to 64 characters.", "environment");
        }

        // A key reads its environment's releases: one no release can ever be set in (a typo, another case) would get 404
        // for every prompt, and its X-Prompt-Version pins would escape the protected environment's approval rule.
        if (!releases.Value.IsKnown(request.Environment))
        {
            return Invalid($"'environment' must be a configured environment ({string.Join(", ", releases.Value.Environments)}); '{request.Environment}' is not one.", "environment");
        }

        var permissions = request.Permissions ?? [];
        var unknown = permissions.Where(p => !GatewayKeyPermissions.All.Contains(p)).ToList();
        if (unknown.Count > 0)
        {
            return Invalid($"Unknown permissions: {string.Join(", ", unknown)}. Known: {string.Join(", ", GatewayKeyPermissions.All)}.", "permissions");
        }

        if (request.Limits is { IsEmpty: true })
        {
            return Invalid("'limits' sets no limit: give daily_spend_usd, monthly_spend_usd or tokens_per_minute, or leave 'limits' out for none.", "limits");
        }

        if (request.Limits is { } limits && (limits.DailySpendUsd <= 0 || limits.MonthlySpendUsd <= 0 || limits.TokensPerMinute <= 0))
        {
            return Invalid("Limits must be positive (omit a limit for none).", "limits");
        }

        var (key, secret) = await store.CreateAsync(request.App, request.Environment, permissions, request.Limits);
        // Which key this was (its id, never its secret) and what it may do: the route names none.
        AuditDetail.Set(http.HttpContext, $"created {key.Id} app={key.App} env={key.Environment} permissions={string.Join(",", permissions)} limits={LimitsText(request.Limits)}");
        return Results.Json(new CreatedKeyResponse(secret, key), GatewayJsonContext.Default.CreatedKeyResponse, statusCode: StatusCodes.Status201Created);
    }

    private static string LimitsText(KeyLimits? limits)
    {
        var set = new List<string>(3);
        if (limits?.DailySpendUsd is { } daily)
        {
            set.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"daily_usd={daily}"));
        }

        if (limits?.MonthlySpendUsd is { } monthly)
        {
            set.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"monthly_usd={monthly}"));
        }

        if (limits?.TokensPerMinute is { } tpm)
        {
            set.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"tpm={tpm}"));
        }

        return set.Count == 0 ? "none" : string.Join(",", set);
    }

    private static async Task<IResult> ListAsync(GatewayKeyStore store) =>
        Results.Json((await store.ListAsync()).ToArray(), GatewayJsonContext.Default.GatewayKeyArray);

    private static async Task<IResult> RevokeAsync(string id, GatewayKeyStore store, AdminTokenRegistry tokens, GatewayKeyAuthenticator authenticator)
    {
        // A configuration admin token can be any string: one the registry knows is a secret, whatever its shape.
        if (tokens.IsSecret(id))
        {
            return SecretNotId.Result("key", "key_", "/admin/v1/keys");
        }

        if (await store.RevokeAsync(id) is not { } hash)
        {
            // Already gone from the store: perhaps by an earlier try that committed and then failed before this instance
            // forgot the key. Forgotten here all the same.
            authenticator.EvictKeyId(id);
            return Results.Json(
                new OpenAiErrorEnvelope(new OpenAiError($"No gateway key has id '{id}'.", "invalid_request_error", "id", "key_not_found")),
                GatewayJsonContext.Default.OpenAiErrorEnvelope,
                statusCode: StatusCodes.Status404NotFound);
        }

        // Refused here from now on, even if the published change is lost (a store brownout, a dropped subscription);
        // other instances drop it when that change reaches them, or at their cache's revalidation.
        authenticator.Evict(hash);
        return Results.NoContent();
    }

    private static IResult Invalid(string message, string param)
    {
        var error = GatewayError.InvalidRequest(message, param, "invalid_value");
        return Results.Json(new OpenAiErrorEnvelope(error.Body), GatewayJsonContext.Default.OpenAiErrorEnvelope, statusCode: error.StatusCode);
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex NamePattern();
}
