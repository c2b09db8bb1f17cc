using System.Text.Json;
using LlmGateway.Serialization;
using LlmGateway.Store;
using StackExchange.Redis;

namespace LlmGateway.Audit;

/// <summary>The control plane's audit trail: a sorted set by time, trimmed to a fixed size.</summary>
internal sealed class AuditLog(GatewayStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    private const long MaxEntries = 100_000;

    public async Task RecordAsync(string actor, string action, string target, int status, string? detail)
    {
        var now = time.GetUtcNow();
        var entry = new AuditEntry(
            "aud_" + Guid.CreateVersion7().ToString("N"), now, actor, action, target, status < 400 ? AuditEntry.Ok : AuditEntry.Refused, status, detail);
        try
        {
            var transaction = store.Database.CreateTransaction();
            _ = transaction.SortedSetAddAsync(store.Keys.Audit, JsonSerializer.Serialize(entry, GatewayJsonContext.Default.AuditEntry), now.ToUnixTimeMilliseconds());
            _ = transaction.SortedSetRemoveRangeByRankAsync(store.Keys.Audit, 0, -MaxEntries - 1);
            await transaction.ExecuteAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The change itself already failed or succeeded; losing its audit line must be loud.
            AuditLogMessages.AuditWriteFailed(logger, action, target, actor, ex.GetType().Name);
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
}
