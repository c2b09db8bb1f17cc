using LlmGateway.Contracts.Releases;
using LlmGateway.Releases;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/prompts/{name}/releases/{environment}</c>: set, canary, promote, roll back, abort, sampling.</summary>
internal static class ReleasesApi
{
    /// <summary>The most JSON a release change's evidence may hold (16 KB).</summary>
    public const int MaxEvidenceChars = 16 * 1024;

    public static RouteGroupBuilder MapReleasesApi(this RouteGroupBuilder admin)
    {
        var releases = admin.MapGroup("/prompts/{name}/releases/{environment}").WithTags("Releases");
        releases.MapGet("/", GetAsync).Produces<ReleaseView>().WithName("ShowRelease");
        Change(releases.MapPut("/", (string name, string environment, HttpContext http, ReleaseService service) => ApplyAsync(ActivationActions.ReleaseSet, name, environment, http, service)), "SetRelease", "Make a version the stable one (clears any canary).");
        Change(releases.MapPost("/canary", (string name, string environment, HttpContext http, ReleaseService service) => ApplyAsync(ActivationActions.CanaryStart, name, environment, http, service)), "StartCanary", "Start a canary, or change its weight.");
        Change(releases.MapPost("/promote", (string name, string environment, HttpContext http, ReleaseService service) => ApplyAsync(ActivationActions.Promote, name, environment, http, service)), "PromoteCanary", "Make the canary the stable version.");
        Change(releases.MapPost("/rollback", (string name, string environment, HttpContext http, ReleaseService service) => ApplyAsync(ActivationActions.Rollback, name, environment, http, service)), "RollbackRelease", "Put the previous stable version back.");
        Change<SamplingChangeRequest>(releases.MapPut("/sampling", SetSamplingAsync), "SetReleaseSampling", "Set this release's sampling rates per arm and hourly floor ('sampling' is required; null restores the configured defaults).");
        Change(releases.MapPost("/abort", (string name, string environment, HttpContext http, ReleaseService service) => ApplyAsync(ActivationActions.Abort, name, environment, http, service)), "AbortCanary", "Stop the canary, keeping the evidence.");
        return admin;
    }

    private static void Change(RouteHandlerBuilder route, string name, string summary) =>
        Change<ReleaseRequest>(route, name, summary);

    private static void Change<TBody>(RouteHandlerBuilder route, string name, string summary)
        where TBody : notnull =>
        route.Accepts<TBody>("application/json")
            .Produces<ReleaseView>()
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator))
            .WithName(name)
            .WithSummary(summary);

    private static async Task<IResult> GetAsync(string name, string environment, ReleaseService service)
    {
        var (release, refusal) = await service.GetAsync(name, environment);
        return refusal is not null ? AdminResults.From(refusal) : View(name, environment, release!);
    }

    private static async Task<IResult> SetSamplingAsync(string name, string environment, HttpContext http, ReleaseService service)
    {
        var (request, error) = await AdminRequestBody.ReadAsync<SamplingChangeRequest?>(http.Request, AdminInputJsonContext.Default.SamplingChangeRequest, null);
        if (error is not null)
        {
            return error;
        }

        return request is null
            ? AdminResults.Invalid("The body must carry 'sampling': the policy, or null to restore the configured defaults.", "sampling")
            : await ApplyAsync(ActivationActions.SamplingSet, name, environment, new ReleaseRequest(null, null, request.Reason, request.Revision, request.Evidence, request.Sampling), http, service);
    }

    private static async Task<IResult> ApplyAsync(string action, string name, string environment, HttpContext http, ReleaseService service)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.ReleaseRequest, new ReleaseRequest(null, null, null, null, null));
        return error ?? await ApplyAsync(action, name, environment, request!, http, service);
    }

    private static async Task<IResult> ApplyAsync(string action, string name, string environment, ReleaseRequest request, HttpContext http, ReleaseService service)
    {
        if (OperatorReason.Check(request.Reason) is { } tooLong)
        {
            return tooLong;
        }

        if (request.Evidence is { ValueKind: not System.Text.Json.JsonValueKind.Object })
        {
            return AdminResults.Invalid("'evidence' must be a JSON object.", "evidence");
        }

        // Kept in the history for good and sent to every viewer: a summary of the evidence (links to the rest), not a dump.
        if (request.Evidence is { } evidence && evidence.GetRawText().Length > MaxEvidenceChars)
        {
            return AdminResults.Invalid($"'evidence' is at most {MaxEvidenceChars} characters of JSON.", "evidence");
        }

        if (request.Sampling?.Problem() is { } problem)
        {
            return AdminResults.Invalid(problem.Message, problem.Field);
        }

        var change = new ReleaseChange(action, request.Version, request.Weight, request.Reason, request.Revision, request.Evidence, request.Sampling);
        var (release, refusal) = await service.ApplyAsync(name, environment, change, AdminAuthorizationFilter.Principal(http).Name, http.RequestAborted);
        return refusal is not null ? AdminResults.From(refusal) : View(name, environment, release!);
    }

    private static IResult View(string name, string environment, ReleaseRecord record) =>
        Results.Json(ReleaseView.From(name, environment, record), GatewayJsonContext.Default.ReleaseView);
}
