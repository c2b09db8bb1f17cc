using System.Globalization;
using LlmGateway.Admin;
using LlmGateway.Contracts.Behaviour;
using LlmGateway.Prompts;
using LlmGateway.Releases;
using LlmGateway.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LlmGateway.Behaviour;

/// <summary>
/// <c>GET /admin/v1/prompts/{name}/behaviour</c> (the series) and <c>…/behaviour/changes</c> (what the detector
/// found, each with its nearest activation).
/// </summary>
internal static class BehaviourApi
{
    private const string DefaultEnvironment = "production";
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(90);

    public static RouteGroupBuilder MapBehaviourApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/prompts/{name}/behaviour", SeriesAsync).WithTags("Behaviour").Produces<BehaviourResponse>().WithName("PromptBehaviour")
            .WithSummary("Online evaluation series of a prompt in one environment (env, default production): per metric, grouped by version and/or variant (groupBy), from/to (default the last hour), step in seconds (a multiple of 60; default 60).");
        admin.MapGet("/prompts/{name}/behaviour/changes", ChangesAsync).WithTags("Behaviour").Produces<BehaviourChangesResponse>().WithName("PromptBehaviourChanges")
            .WithSummary("Changes the detector found in a prompt's series (all arms together), newest first, each with the nearest activation before it.");
        return admin;
    }

    private static async Task<IResult> SeriesAsync(string name, HttpContext http, BehaviourQuery query, PromptRegistry registry, IOptions<ReleaseOptions> releases, TimeProvider time)
    {
        var request = http.Request.Query;
        var environment = Environment(request);
        if (await CheckAsync(name, environment, registry, releases.Value) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        if (!TryTime(request["from"], now.AddHours(-1), out var from) || !TryTime(request["to"], now, out var to) || to <= from)
        {
            return AdminResults.Invalid("'from' and 'to' must be ISO-8601 instants, with from < to.", "from");
        }

        if (to - from > MaxRange)
        {
            return AdminResults.Invalid("The range is limited to 90 days (the hourly rollups' retention).", "from");
        }

        var step = 60;
        if (!StringValues.IsNullOrEmpty(request["step"])
            && (!int.TryParse(request["step"], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 60 || step % 60 != 0))
        {
            return AdminResults.Invalid("'step' is a number of seconds, a multiple of 60.", "step");
        }

        if (step >= 3600 && step % 3600 != 0)
        {
            return AdminResults.Invalid("A step of an hour or more is whole hours (a multiple of 3600): it reads the hourly rollups.", "step");
        }

        if (from < DateTimeOffset.UnixEpoch || to > now.AddDays(1))
        {
            return AdminResults.Invalid("'from' is after 1970 and 'to' at most a day ahead.", "to");
        }

        var points = Math.Ceiling((to - from).TotalSeconds / step);
        if (points > BehaviourQuery.MaxPoints)
        {
            return AdminResults.Invalid($"At most {BehaviourQuery.MaxPoints} points: widen 'step' or narrow from/to.", "step");
        }

        if (step < 3600 && now - from > BehaviourStore.MinuteRetention)
        {
            return AdminResults.Invalid("Minutes are kept 2 days; for an older window use a step of whole hours (e.g. 3600).", "step");
        }

        var groupBy = request["groupBy"].Count == 0
            ? ["version", "variant"]
            : request["groupBy"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = groupBy.Where(g => g is not ("version" or "variant")).ToList();
        if (unknown.Count > 0)
        {
            return AdminResults.Invalid($"Unknown groupBy {string.Join(", ", unknown)}; use version, variant or both.", "groupBy");
        }

        var metrics = request["metric"].SelectMany(m => (m ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        var response = await query.ReadAsync(new BehaviourRequest(name, environment, metrics, groupBy.Contains("version"), groupBy.Contains("variant"), from, to, step));
        return Results.Json(response, GatewayJsonContext.Default.BehaviourResponse);
    }

    private static async Task<IResult> ChangesAsync(string name, HttpContext http, BehaviourChangeStore changes, PromptRegistry registry, IOptions<ReleaseOptions> releases)
    {
        var request = http.Request.Query;
        var environment = Environment(request);
        if (await CheckAsync(name, environment, registry, releases.Value) is { } refused)
        {
            return refused;
        }

        var limit = 50;
        if (!StringValues.IsNullOrEmpty(request["limit"])
            && (!int.TryParse(request["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return AdminResults.Invalid("'limit' is from 1 to 1000.", "limit");
        }

        var metric = StringValues.IsNullOrEmpty(request["metric"]) ? null : request["metric"].ToString();
        var list = await changes.ListAsync(name, environment, metric, limit);
        return Results.Json(new BehaviourChangesResponse { Prompt = name, Environment = environment, Changes = list }, GatewayJsonContext.Default.BehaviourChangesResponse);
    }

    // "env" as the history API spells it, "environment" as the usage rows do.
    private static string Environment(IQueryCollection request) =>
        !StringValues.IsNullOrEmpty(request["env"]) ? request["env"].ToString()
        : !StringValues.IsNullOrEmpty(request["environment"]) ? request["environment"].ToString()
        : DefaultEnvironment;

    private static async Task<IResult?> CheckAsync(string name, string environment, PromptRegistry registry, ReleaseOptions options)
    {
        if (!options.IsKnown(environment))
        {
            return AdminResults.NotFound("environment_not_found", $"'{environment}' is not a configured environment.", "env");
        }

        return (await registry.ListNamesAsync()).Contains(name) ? null : PromptsApi.PromptNotFound(name);
    }

    private static bool TryTime(StringValues value, DateTimeOffset fallback, out DateTimeOffset result)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            result = fallback;
            return true;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out result);
    }
}
