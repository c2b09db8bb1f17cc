using LlmGateway.Audit;
using LlmGateway.Contracts.Releases;
using LlmGateway.Prompts;
using LlmGateway.Releases;
using LlmGateway.Serialization;
using Microsoft.Extensions.Options;

namespace LlmGateway.Admin;

/// <summary>Activation history, "active at T", and the audit trail.</summary>
internal static class HistoryApi
{
    public static RouteGroupBuilder MapHistoryApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/prompts/{name}/history", ListAsync).WithTags("History").Produces<ActivationEvent[]>().WithName("PromptHistory")
            .WithSummary("Activation events, oldest first; filter by env and time.");
        admin.MapGet("/prompts/{name}/active", ActiveAtAsync).WithTags("History").Produces<ActiveAtResponse>().WithName("ActiveAt")
            .WithSummary("Which stable and canary were in force in an environment at an instant.");
        admin.MapGet("/audit", AuditAsync).WithTags("Audit").Produces<AuditEntry[]>().WithName("Audit")
            .WithSummary("Audited changes and refusals, newest first.");
        return admin;
    }

    private static async Task<IResult> ListAsync(
        string name, string? env, DateTimeOffset? from, DateTimeOffset? to, int? limit, PromptRegistry registry, ActivationHistory history, IOptions<ReleaseOptions> options)
    {
        if (await CheckAsync(name, env, registry, options.Value) is { } refused)
        {
            return refused;
        }

        var events = await history.ListAsync(name, env, from, to, Math.Clamp(limit ?? 1000, 1, 10_000));
        return Results.Json(events.ToArray(), GatewayJsonContext.Default.ActivationEventArray);
    }

    private static async Task<IResult> ActiveAtAsync(
        string name, string? env, DateTimeOffset? at, PromptRegistry registry, ActivationHistory history, IOptions<ReleaseOptions> options, TimeProvider time)
    {
        if (string.IsNullOrEmpty(env))
        {
            return AdminResults.Invalid("'env' is required.", "env");
        }

        if (await CheckAsync(name, env, registry, options.Value) is { } refused)
        {
            return refused;
        }

        var instant = at ?? time.GetUtcNow();
        var activation = await history.ActiveAtAsync(name, env, instant);
        return Results.Json(new ActiveAtResponse(name, env, instant, activation?.After, activation), GatewayJsonContext.Default.ActiveAtResponse);
    }

    private static async Task<IResult> AuditAsync(DateTimeOffset? from, DateTimeOffset? to, int? limit, AuditLog audit) =>
        Results.Json((await audit.ListAsync(from, to, Math.Clamp(limit ?? 200, 1, 10_000))).ToArray(), GatewayJsonContext.Default.AuditEntryArray);

    private static async Task<IResult?> CheckAsync(string name, string? env, PromptRegistry registry, ReleaseOptions options)
    {
        if (env is not null && !options.IsKnown(env))
        {
            return AdminResults.NotFound("environment_not_found", $"'{env}' is not a configured environment.", "env");
        }

        return (await registry.ListNamesAsync()).Contains(name) ? null : PromptsApi.PromptNotFound(name);
    }
}
