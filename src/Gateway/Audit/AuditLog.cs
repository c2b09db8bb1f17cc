using System.Text.Json;
using LlmGateway.Admin;
using LlmGateway.Serialization;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Audit;

/// <summary>
/// The control plane's audit trail: a sorted set by time, trimmed by age
/// (<see cref="AuditOptions.RetentionDays"/>) and, as a memory guard only, by count
/// (<see cref="AuditOptions.MaxEntries"/>) without ever dropping an entry of the last 24 hours.
/// </summary>
internal sealed class AuditLog(GatewayStore store, TimeProvider time, IOptions<AdminOptions> options, ILogger<AuditLog> logger)
{
    /// <summary>Targets come from route values a caller chose: stored at most this long.</summary>
    public const int MaxTargetLength = 256;

    /// <summary>Details (error messages) are capped too.</summary>
    public const int MaxDetailLength = 1024;

    /// <summary>Entries this recent are never trimmed by count.</summary>
    public static readonly TimeSpan ProtectedWindow = TimeSpan.FromDays(1);

    // KEYS[1] the log. ARGV: entry, score (unix ms), age cut-off, protected-window start, max entries.
    // Add, drop what is older than the retention, then trim the excess over the count, oldest
    // first, but only among entries older than the protected window.
    private const string AddScript = """
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
        if excess > 0 then
          local old = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[4])
          if old < excess then excess = old end
          if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
        end
        return 1
        """;

    /// <summary>
    /// The admin API's flood limits. Held here because this is a singleton and the authorization
    /// filter is not (minimal APIs create endpoint filters per request).
    /// </summary>
    public AdminRequestLimits Limits { get; } = new(time, options.Value);

    public async Task RecordAsync(string actor, string action, string target, int status, string? detail)
    {
        var settings = options.Value.Audit;
        var now = time.GetUtcNow();
        var entry = new AuditEntry(
            "aud_" + Guid.CreateVersion7().ToString("N"), now, actor, action, Truncate(target, MaxTargetLength),
            status < 400 ? AuditEntry.Ok : AuditEntry.Refused, status, detail is null ? null : Truncate(detail, MaxDetailLength));
        try
        {
            await store.Database.ScriptEvaluateAsync(
                AddScript,
                [store.Keys.Audit],
                [
                    JsonSerializer.Serialize(entry, GatewayJsonContext.Default.AuditEntry),
                    now.ToUnixTimeMilliseconds(),
                    (now - TimeSpan.FromDays(settings.RetentionDays)).ToUnixTimeMilliseconds(),
                    (now - ProtectedWindow).ToUnixTimeMilliseconds(),
                    settings.MaxEntries,
                ]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The change itself already failed or succeeded; losing its audit line must be loud.
            // The target is left out: it is made of route values a caller chose.
            AuditLogMessages.AuditWriteFailed(logger, entry.Id, action, actor, status, ex.GetType().Name);
        }
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        var values = await store.Database.SortedSetRangeByScoreAsync(
            store.Keys.Audit,
            to?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity,
            from?.ToUnixTimeMilliseconds() ?? double.NegativeInfinity,
            Exclude.None,
            Order.Descending,
            0,
            limit);
        return [.. values.Select(v => JsonSerializer.Deserialize((string)v!, GatewayJsonContext.Default.AuditEntry)!)];
    }

    private static string Truncate(string value, int max) =>
        value.Length <= max ? value : string.Concat(value.AsSpan(0, char.IsHighSurrogate(value[max - 2]) ? max - 2 : max - 1), "…");
}
