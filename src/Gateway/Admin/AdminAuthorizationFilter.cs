using System.Globalization;
using LlmGateway.Audit;
using LlmGateway.Errors;
using LlmGateway.Serialization;
using LlmGateway.Telemetry;

namespace LlmGateway.Admin;

/// <summary>
/// Guards <c>/admin/v1</c>: a known token, holding the endpoint's role. It also audits, in one
/// place, from the endpoint's name and route values: every change, every read marked
/// <see cref="AuditedReadAttribute"/>, and every refusal of a valid token (at most
/// <see cref="AuditOptions.RefusalsPerActorPerMinute"/> per actor). A valid token's audited requests are
/// limited too (<see cref="AuditOptions.AuditedActionsPerActorPerMinute"/>, 429 before any work): entries
/// of the last day are never trimmed, so the limit is what bounds the log. Requests without a valid
/// token are never audited (anyone could fill the log): they are counted, logged at most once a
/// second per remote address, and after <see cref="AdminOptions.FailedAuthenticationsPerMinute"/>
/// failures an address's further failures get 429 until its minute is over (a valid token always gets in).
/// </summary>
internal sealed class AdminAuthorizationFilter : IEndpointFilter
{
    public const string UnknownActor = "(unauthenticated)";

    private static readonly string[] TargetKeys = ["name", "version", "environment", "id"];

    private const string MaskedSecret = "<secret>";

    private readonly AdminTokenRegistry _tokens;
    private readonly AuditLog _audit;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<AdminAuthorizationFilter> _logger;
    private readonly KeyedWindowLimiter _failedAuthentications;
    private readonly KeyedWindowLimiter _refusalLogs;
    private readonly KeyedWindowLimiter _refusalLogsInAll;
    private readonly KeyedWindowLimiter _refusalAudits;
    private readonly KeyedWindowLimiter _auditedActions;

    public AdminAuthorizationFilter(
        AdminTokenRegistry tokens, AuditLog audit, GatewayMetrics metrics, ILogger<AdminAuthorizationFilter> logger)
    {
        _tokens = tokens;
        _audit = audit;
        _metrics = metrics;
        _logger = logger;
        _failedAuthentications = audit.Limits.FailedAuthentications;
        _refusalLogs = audit.Limits.RefusalLogs;
        _refusalLogsInAll = audit.Limits.RefusalLogsInAll;
        _refusalAudits = audit.Limits.RefusalAudits;
        _auditedActions = audit.Limits.AuditedActions;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        var roles = endpoint?.Metadata.GetOrderedMetadata<RequiresAdminRoleAttribute>() ?? [];
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "(unnamed)";
        var audited = !HttpMethods.IsGet(http.Request.Method) || endpoint?.Metadata.GetMetadata<AuditedReadAttribute>() is not null;

        if (!_tokens.IsEnabled)
        {
            return RefuseUnauthenticated(http, action, "admin_disabled", new GatewayError(StatusCodes.Status403Forbidden,
                new OpenAiError("The admin API is disabled. Configure Gateway:Admin:Tokens to enable it.", "permission_error", null, "admin_disabled")));
        }

        var presented = Auth.BearerToken.Read(http.Request);
        var principal = presented.Length == 0 ? null : _tokens.Find(presented);
        if (principal is null)
        {
            // Only failures are limited, and a token that verifies is never refused: a flood of bad tokens from one
            // address (every client behind an ingress shares one) or from addresses sprayed past the limiter's table
            // must not lock the operators out during an incident. Tokens are at least 16 characters or issued with
            // 256 bits, so letting a right guess in costs nothing a per-address limit could protect.
            var address = Auth.RemoteAddressKey.For(http.Connection.RemoteIpAddress);
            if (_failedAuthentications.IsExhausted(address, out var retryAfter))
            {
                return RefuseUnauthenticated(http, action, "rate_limited", GatewayError.TooManyFailedAuthentications("admin", retryAfter));
            }

            _failedAuthentications.Hit(address);
            return presented.Length == 0
                ? RefuseUnauthenticated(http, action, "missing_token", GatewayError.MissingApiKey())
                : RefuseUnauthenticated(http, action, "invalid_token", GatewayError.InvalidApiKey());
        }

        var (target, secret) = Target(http);
        if (Missing(principal, roles) is { } role)
        {
            var error = new GatewayError(StatusCodes.Status403Forbidden,
                new OpenAiError($"'{principal.Name}' lacks the '{role}' role needed here.", "permission_error", null, "missing_role"));
            await RecordAsync(principal.Name, action, target, error.StatusCode, $"{error.Body.Code}: {error.Body.Message}", secret);
            return ErrorResult(http, error);
        }

        if (audited && LimitAuditedAction(principal.Name) is { } limited)
        {
            return ErrorResult(http, limited);
        }

        http.Items[typeof(AdminPrincipal)] = principal;
        object? result;
        try
        {
            result = await next(context);
        }
        catch (Exception ex) when (audited)
        {
            // A failure after a change may have been applied must still leave a trace, and so
            // must a read the caller broke off (an export stopped halfway still showed samples).
            var aborted = ex is OperationCanceledException;
            var detail = (aborted ? "aborted" : $"failed: {ex.GetType().Name}") + (AuditDetail.Get(http) is { } read ? "; " + read : "");
            // The status the exception handler will answer with (a store outage is a 503, not a 500).
            await RecordAsync(principal.Name, action, target, aborted ? 499 : UnhandledErrorResponder.For(ex).StatusCode, detail, secret);
            throw;
        }

        if (audited)
        {
            var status = (result as IStatusCodeHttpResult)?.StatusCode
                ?? (http.Response.HasStarted ? http.Response.StatusCode : StatusCodes.Status200OK);
            var detail = (result as IValueHttpResult)?.Value is OpenAiErrorEnvelope envelope ? $"{envelope.Error.Code}: {envelope.Error.Message}" : AuditDetail.Get(http);
            await RecordAsync(principal.Name, action, target, status, detail, secret);
        }

        return result;
    }

    /// <summary>The first of the endpoint's roles the caller lacks (viewer when it names none); null when it has them all.</summary>
    private static string? Missing(AdminPrincipal principal, IReadOnlyList<RequiresAdminRoleAttribute> roles)
    {
        if (roles.Count == 0)
        {
            return principal.IsIn(AdminRoles.Viewer) ? null : AdminRoles.Viewer;
        }

        foreach (var required in roles)
        {
            if (!principal.IsIn(required.Role))
            {
                return required.Role;
            }
        }

        return null;
    }

    /// <summary>The caller, set by this filter for the handlers.</summary>
    public static AdminPrincipal Principal(HttpContext context) =>
        (AdminPrincipal)context.Items[typeof(AdminPrincipal)]!;

    /// <param name="secret">A secret the request put where an id belongs: masked in the detail too (an error that
    /// names the id it did not find would repeat it).</param>
    private async Task RecordAsync(string actor, string action, string target, int status, string? detail, string? secret = null)
    {
        if (secret is not null && detail is not null)
        {
            // As routed (a '/' still escaped) and as meant.
            detail = detail.Replace(secret, MaskedSecret, StringComparison.Ordinal).Replace(Uri.UnescapeDataString(secret), MaskedSecret, StringComparison.Ordinal);
        }

        if (status is >= 400 and < 500 && status != 499)
        {
            // Refusals of a valid token: a key-holder may not flood the log with them.
            var count = _refusalAudits.Hit(actor);
            if (count > _refusalAudits.Limit)
            {
                _metrics.AdminRefusalsUnaudited.Add(1, new KeyValuePair<string, object?>("reason", "actor_limit"));
                if (count == _refusalAudits.Limit + 1)
                {
                    AuditLogMessages.RefusalAuditsLimited(_logger, actor, _refusalAudits.Limit);
                }

                return;
            }
        }

        await _audit.RecordAsync(actor, action, target, status, detail);
    }

    /// <summary>
    /// Counts one audited request of the actor; past the limit, the refusal to answer with. The refusal is
    /// not audited (the log is what the limit protects): it is counted, and logged once per window.
    /// </summary>
    private GatewayError? LimitAuditedAction(string actor)
    {
        var count = _auditedActions.Hit(actor);
        if (count <= _auditedActions.Limit)
        {
            return null;
        }

        _metrics.AdminRefusalsUnaudited.Add(1, new KeyValuePair<string, object?>("reason", "audited_action_limit"));
        if (count == _auditedActions.Limit + 1)
        {
            AuditLogMessages.AuditedActionsLimited(_logger, actor, _auditedActions.Limit);
        }

        _auditedActions.IsExhausted(actor, out var retryAfter);
        return GatewayError.TooManyAuditedRequests(_auditedActions.Limit, retryAfter);
    }

    private IResult RefuseUnauthenticated(HttpContext http, string action, string reason, GatewayError error)
    {
        _metrics.AdminRefusalsUnaudited.Add(1, new KeyValuePair<string, object?>("reason", reason));
        var address = Auth.RemoteAddressKey.For(http.Connection.RemoteIpAddress);
        if (_refusalLogs.TryAcquire(address) && _refusalLogsInAll.TryAcquire(AdminRequestLimits.AllAddresses))
        {
            AuditLogMessages.UnauthenticatedRefused(_logger, address, reason, action);
        }

        return ErrorResult(http, error);
    }

    private static IResult ErrorResult(HttpContext http, GatewayError error)
    {
        if (error.RetryAfterSeconds is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return Results.Json(new OpenAiErrorEnvelope(error.Body), GatewayJsonContext.Default.OpenAiErrorEnvelope, statusCode: error.StatusCode);
    }

    /// <summary>The audit target, and the secret it masked (one the request put where an id belongs), if any.</summary>
    private (string Target, string? Secret) Target(HttpContext http)
    {
        var values = http.Request.RouteValues;
        // A secret where an id belongs (a revoke by secret, or by a configuration token's value) is not kept in the
        // audit trail, which viewers read.
        string? secret = null;
        var parts = new List<string>(TargetKeys.Length);
        foreach (var key in TargetKeys.Where(values.ContainsKey))
        {
            var value = values[key]?.ToString();
            if (IsSecret(key, value))
            {
                secret = value;
                value = MaskedSecret;
            }

            parts.Add($"{key}={value}");
        }

        var joined = string.Join(" ", parts);
        var path = http.Request.Path.Value ?? "";
        return (joined.Length > 0 ? joined : Contracts.Keys.SecretPrefixes.ContainsSecret(path) ? MaskedSecret : path, secret);
    }

    // A configuration token can be any string: only an id is looked up as one (a hash per admin request, not four).
    private bool IsSecret(string key, string? value) =>
        key == "id" ? _tokens.IsSecret(value) : value is not null && Contracts.Keys.SecretPrefixes.IsSecretShaped(value);
}
