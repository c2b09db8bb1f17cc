using LlmGateway.Serialization;
using LlmGateway.Usage;

namespace LlmGateway.Admin;

/// <summary><c>GET /admin/v1/usage</c>: requests, tokens, cost and latency, filtered and grouped.</summary>
internal static class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/usage", QueryAsync).WithTags("Usage").Produces<UsageRow[]>().WithName("Usage")
            .WithSummary("Usage counters over a time range (default: the last hour), filtered by prompt, version, variant, model, key and grouped by any of them.");
        return admin;
    }

    private static async Task<IResult> QueryAsync(HttpContext http, UsageQuery query, TimeProvider time)
    {
        var request = http.Request.Query;
        var now = time.GetUtcNow();
        // Without 'from', the hour before 'to' (before now when 'to' is not given either). Instants from 1970 to 9000
        // only: the buckets are minutes since 1970, and an hour either side must stay a date.
        if (!TryTime(request["to"], now, out var to) || !InRange(to)
            || !TryTime(request["from"], to.AddHours(-1), out var from) || !InRange(from) || to < from)
        {
            return AdminResults.Invalid("'from' and 'to' must be ISO-8601 instants from 1970 to 9000, with from ≤ to.", "from");
        }

        if (to - from > TimeSpan.FromDays(90))
        {
            return AdminResults.Invalid("The range is limited to 90 days (the hourly rollups' retention).", "from");
        }

        var groupBy = request["groupBy"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        var unknown = groupBy.Where(g => !UsageDimensions.Names.Contains(g)).ToList();
        if (unknown.Count > 0)
        {
            return AdminResults.Invalid($"Unknown groupBy {string.Join(", ", unknown)}; use {string.Join(", ", UsageDimensions.Names)}.", "groupBy");
        }

        var filters = UsageDimensions.Names
            .Where(n => !string.IsNullOrEmpty(request[n]))
            .ToDictionary(n => n, n => request[n].ToString(), StringComparer.Ordinal);
        var window = UsageWindow.For(from, to, now);
        var rows = await query.RunAsync(window, filters, groupBy, http.RequestAborted);

        // What was read: the minutes or hours that start in [from, to).
        http.Response.Headers["X-Usage-Window"] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{window.From:yyyy-MM-dd'T'HH:mm:ss'Z'}/{window.To:yyyy-MM-dd'T'HH:mm:ss'Z'}");
        http.Response.Headers["X-Usage-Granularity"] = window.ByMinute ? "minute" : "hour";
        return Results.Json(rows.ToArray(), GatewayJsonContext.Default.UsageRowArray);
    }

    private static bool InRange(DateTimeOffset instant) =>
        instant >= DateTimeOffset.UnixEpoch.AddHours(1) && instant < new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static bool TryTime(Microsoft.Extensions.Primitives.StringValues value, DateTimeOffset fallback, out DateTimeOffset result)
    {
        if (string.IsNullOrEmpty(value))
        {
            result = fallback;
            return true;
        }

        return DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out result);
    }
}
