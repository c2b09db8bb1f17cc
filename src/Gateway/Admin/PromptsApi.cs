using LlmGateway.Contracts.Prompts;
using LlmGateway.Contracts.Releases;
using LlmGateway.EvalRuns;
using LlmGateway.Prompts;
using LlmGateway.Releases;
using LlmGateway.Serialization;
using LlmGateway.Store;
using Microsoft.Extensions.Options;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/prompts</c>: push, list, show and approve bundle versions.</summary>
internal static class PromptsApi
{
    public static RouteGroupBuilder MapPromptsApi(this RouteGroupBuilder admin)
    {
        var prompts = admin.MapGroup("/prompts").WithTags("Prompts");
        prompts.MapPost("/", PushAsync)
            .Accepts<PromptBundleContent>("application/json")
            .Produces<PushResponse>(StatusCodes.Status201Created)
            .Produces<PushResponse>()
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Author))
            .WithName("PushPrompt").WithSummary("Push a bundle: a new version, or the existing one for identical content.");
        prompts.MapGet("/", ListAsync).Produces<PromptSummary[]>().WithName("ListPrompts");
        prompts.MapGet("/{name}", ShowAsync).Produces<PromptDetail>().WithName("ShowPrompt");
        prompts.MapGet("/{name}/versions/{version:int}", ShowVersionAsync).Produces<PromptBundleView>().WithName("ShowPromptVersion");
        prompts.MapPost("/{name}/versions/{version:int}/approve", ApproveAsync)
            .Accepts<ApproveRequest>("application/json")
            .Produces<PromptBundleView>()
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Approver))
            .WithName("ApprovePromptVersion").WithSummary("Approve a version authored by someone else.");
        return admin;
    }

    private static async Task<IResult> PushAsync(HttpContext http, PromptBundleValidator validator, PromptRegistry registry)
    {
        if (AdminRequestBody.TooLarge(http.Request) is { } tooLarge)
        {
            return tooLarge;
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);

        var validation = validator.Validate(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        if (!validation.IsValid)
        {
            return AdminResults.InvalidBundle(validation.Errors);
        }

        if (await registry.IsFullForAsync(validation.Content!.Name!))
        {
            return AdminResults.Error(StatusCodes.Status409Conflict, "invalid_request_error", "too_many_prompts",
                "The registry holds as many prompts as Gateway:Prompts:MaxPrompts allows; push a new version of an existing prompt, or raise the limit.", "name");
        }

        var author = AdminAuthorizationFilter.Principal(http).Name;
        var (bundle, created) = await registry.PushAsync(validation.Content!, validation.Id!, author);
        var stored = await registry.GetAsync(bundle.Name, bundle.Version);
        var response = new PushResponse(created, PromptBundleViews.From(bundle, stored!.Value.Status));
        return Results.Json(response, GatewayJsonContext.Default.PushResponse, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> ListAsync(PromptRegistry registry, GatewayStore store, IOptions<ReleaseOptions> options)
    {
        var summaries = new List<PromptSummary>();
        foreach (var name in await registry.ListNamesAsync())
        {
            var versions = await store.Database.HashLengthAsync(store.Keys.PromptBundles(name));
            var latest = (int?)await store.Database.StringGetAsync(store.Keys.PromptSequence(name)) ?? 0;
            summaries.Add(new PromptSummary(name, latest, (int)versions, await ReleasesAsync(store, registry, name, options.Value)));
        }

        return Results.Json(summaries.ToArray(), GatewayJsonContext.Default.PromptSummaryArray);
    }

    private static async Task<IResult> ShowAsync(string name, PromptRegistry registry, EvalRunStore runs, GatewayStore store, IOptions<ReleaseOptions> options)
    {
        var versions = await registry.ListVersionsAsync(name);
        if (versions.Count == 0)
        {
            return PromptNotFound(name);
        }

        var latest = await runs.LatestByVersionAsync(name);
        IReadOnlyList<PromptBundleView> withEvals = [.. versions.Select(v => latest.TryGetValue(v.Version, out var run) ? v with { LatestEval = EvalRunSummaries.From(run) } : v)];
        return Results.Json(new PromptDetail(name, withEvals, await ReleasesAsync(store, registry, name, options.Value)), GatewayJsonContext.Default.PromptDetail);
    }

    private static async Task<IResult> ShowVersionAsync(string name, int version, PromptRegistry registry)
    {
        if (await registry.GetAsync(name, version) is not { } stored)
        {
            return await VersionNotFoundAsync(registry, name, version);
        }

        return Results.Json(PromptBundleViews.From(stored.Bundle, stored.Status), GatewayJsonContext.Default.PromptBundleView);
    }

    private static async Task<IResult> ApproveAsync(string name, int version, HttpContext http, PromptRegistry registry, AdminTokenRegistry tokens)
    {
        var (request, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.ApproveRequest, new ApproveRequest(null));
        if (error is not null)
        {
            return error;
        }

        if (OperatorReason.Check(request!.Reason) is { } tooLong)
        {
            return tooLong;
        }

        if (await registry.GetAsync(name, version) is not { } stored)
        {
            return await VersionNotFoundAsync(registry, name, version);
        }

        var approver = AdminAuthorizationFilter.Principal(http).Name;
        if (stored.Bundle.Author == approver)
        {
            return AdminResults.Forbidden("self_approval", $"'{approver}' authored {name} v{version}; someone else must approve it.");
        }

        // A token one issued acts for oneself: approving through it, or a version pushed through it, is self-approval too.
        // (Two tokens issued by the same administrator are two people: only one's own chain of issuers counts.)
        if (tokens.Lineage(approver).Contains(stored.Bundle.Author) || tokens.Lineage(stored.Bundle.Author).Contains(approver))
        {
            return AdminResults.Forbidden("self_approval", $"'{approver}' and '{stored.Bundle.Author}' (who authored {name} v{version}) act for the same person through tokens one issued; someone else must approve it.");
        }

        var status = stored.Status.IsApproved ? stored.Status : await registry.ApproveAsync(name, version, approver, request!.Reason);
        if (status is null)
        {
            return AdminResults.Error(StatusCodes.Status409Conflict, "invalid_request_error", "concurrent_update", "The prompt's versions kept changing under this approval; send it again.", "version");
        }

        return Results.Json(PromptBundleViews.From(stored.Bundle, status), GatewayJsonContext.Default.PromptBundleView);
    }

    internal static async Task<Dictionary<string, ReleaseView>> ReleasesAsync(GatewayStore store, PromptRegistry registry, string name, ReleaseOptions options)
    {
        var releases = new Dictionary<string, ReleaseView>(StringComparer.Ordinal);
        foreach (var environment in options.Environments)
        {
            var raw = await store.Database.StringGetAsync(store.Keys.Release(name, environment));
            // Only a release the instances can be serving: not one that does not read, nor one naming a version never
            // pushed (written by hand; its own read answers 409 invalid_release).
            if (!raw.IsNull && ReleaseJson.TryParse(raw!, out var record) && record is not null && await registry.MissingVersionAsync(name, record) is null)
            {
                releases[environment] = ReleaseView.From(name, environment, record!);
            }
        }

        return releases;
    }

    internal static IResult PromptNotFound(string name) => AdminResults.NotFound("prompt_not_found", $"No prompt is named '{name}'.", "name");

    private static async Task<IResult> VersionNotFoundAsync(PromptRegistry registry, string name, int version) =>
        (await registry.ListNamesAsync()).Contains(name)
            ? AdminResults.NotFound("version_not_found", $"'{name}' has no version {version}.", "version")
            : PromptNotFound(name);
}
