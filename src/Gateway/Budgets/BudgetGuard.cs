using System.Collections.Concurrent;
using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Budgets;

/// <summary>
/// Per-key budgets. Before forwarding, the worst case (prompt tokens + the output cap, at the
/// current price) is reserved atomically in Lua against the day, month and minute counters; after
/// the response the reservation is settled to the actual figures. A request that would cross a
/// limit gets 429 and reserves nothing, so concurrent requests can never overspend.
/// </summary>
internal sealed class BudgetGuard(
    GatewayStore store,
    TokenizerRegistry tokenizers,
    PricingTable pricing,
    IOptions<BudgetOptions> options,
    TimeProvider time,
    Telemetry.GatewayMetrics metrics,
    ILogger<BudgetGuard> logger)
{
    // KEYS: day spend, month spend, minute tokens. ARGV: day limit, month limit, tpm limit (-1 = none),
    // cost, tokens, day ttl, month ttl. Returns 0 (reserved), 1 (day), 2 (month), 3 (tokens/minute),
    // 4 (a negative amount: never reserved, whatever the caller computed).
    private const string ReserveScript = """
        local function over(key, limit, amount)
          if tonumber(limit) < 0 then return false end
          return (tonumber(redis.call('GET', key) or '0') + tonumber(amount)) > tonumber(limit)
        end
        if tonumber(ARGV[4]) < 0 or tonumber(ARGV[5]) < 0 then return 4 end
        if over(KEYS[1], ARGV[1], ARGV[4]) then return 1 end
        if over(KEYS[2], ARGV[2], ARGV[4]) then return 2 end
        if over(KEYS[3], ARGV[3], ARGV[5]) then return 3 end
        redis.call('INCRBY', KEYS[1], ARGV[4])
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        redis.call('INCRBY', KEYS[2], ARGV[4])
        redis.call('EXPIRE', KEYS[2], ARGV[7])
        redis.call('INCRBY', KEYS[3], ARGV[5])
        redis.call('EXPIRE', KEYS[3], 120)
        return 0
        """;

    private readonly BudgetOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, SpendLease> _leases = new(StringComparer.Ordinal);

    public async ValueTask<(BudgetReservation? Reservation, GatewayError? Error)> ReserveAsync(GatewayKey key, CatalogModel model, PromptTokenEstimate prompt, long reservedOutputTokens)
    {
        if (key.Limits is not { IsEmpty: false } limits)
        {
            return (null, null);
        }

        var now = time.GetUtcNow();
        // The request's one estimate: billing reuses it if the provider reports no usage.
        var input = prompt.UpperBound(tokenizers);
        var output = reservedOutputTokens;
        // Priced at the dearest model that may serve it: a fallback is billed at its own price.
        var cost = pricing.Cost(model.UpstreamModel, now, new TokenUsage(input, 0, output, 0));
        foreach (var fallback in model.Fallbacks)
        {
            if (cost is { } first && pricing.Cost(fallback.UpstreamModel, now, new TokenUsage(input, 0, output, 0)) is { } other && other > first)
            {
                cost = other;
            }
        }
        if (cost is null && (limits.DailySpendUsd is not null || limits.MonthlySpendUsd is not null) && _options.RefuseUnpricedModels)
        {
            // A spend limit cannot be enforced on a model without a price: refuse rather than skip it.
            return (null, GatewayError.InvalidRequest(
                $"The model '{model.Name}' has no price, so this key's spend limit cannot be enforced on it.", "model", "model_not_priced"));
        }

        if (cost is null && limits.TokensPerMinute is null)
        {
            return (null, null);
        }

        var costNanoUsd = cost is { } c ? Nano(c) : 0;
        if (cost is not null && limits.TokensPerMinute is null && key.SpendSliceUsd is { } slice)
        {
            // Drawn from this instance's slice of the key's spend: no store round trip until the slice runs short.
            var lease = _leases.GetOrAdd(key.Id, static (_, slice) => new SpendLease(Math.Max(1, Nano(slice))), slice);
            var leased = new BudgetReservation(key.Id, now, costNanoUsd, checked(input + output)) { Lease = lease };
            return lease.TryTake(leased.Day, costNanoUsd) ? (leased, null) : await RefillAsync(lease, limits, leased);
        }

        var reservation = new BudgetReservation(key.Id, now, costNanoUsd, checked(input + output));
        return await ReserveInStoreAsync(limits, reservation, cost is null) switch
        {
            null => FailedOpenOrRefused(),
            0 => (reservation, null),
            var verdict => (null, Refusal(verdict.Value, limits, now)),
        };
    }

    // The slice ran short: one refill at a time, then take again (a request that waited may find a slice a
    // concurrent refill just added). The store grants a whole slice if the limits allow it, else just this
    // request's shortfall, so the day's last cents still serve the copies that fit.
    private async Task<(BudgetReservation?, GatewayError?)> RefillAsync(SpendLease lease, KeyLimits limits, BudgetReservation reservation)
    {
        var day = reservation.Day;
        await lease.Refilling.WaitAsync();
        try
        {
            if (lease.TryTake(day, reservation.CostNanoUsd))
            {
                return (reservation, null);
            }

            var shortfall = lease.Shortfall(day, reservation.CostNanoUsd);
            var grant = new BudgetReservation(reservation.KeyId, reservation.At, Math.Max(lease.SliceNanoUsd, shortfall), 0);
            var verdict = await ReserveInStoreAsync(limits, grant, unpriced: false);
            if (verdict is 1 or 2 && grant.CostNanoUsd > shortfall)
            {
                grant = new BudgetReservation(reservation.KeyId, reservation.At, shortfall, 0);
                verdict = await ReserveInStoreAsync(limits, grant, unpriced: false);
            }

            switch (verdict)
            {
                case null:
                    return FailedOpenOrRefused();
                case 0:
                    lease.Add(day, grant.CostNanoUsd);
                    // The grant covers the shortfall, and only this refill adds to or takes from the slice meanwhile.
                    return lease.TryTake(day, reservation.CostNanoUsd) ? (reservation, null) : (null, Refusal(1, limits, reservation.At));
                default:
                    return (null, Refusal(verdict.Value, limits, reservation.At));
            }
        }
        finally
        {
            lease.Refilling.Release();
        }
    }

    /// <summary>The Lua reservation's verdict (0 reserved, else the limit it would cross); null when the store failed.</summary>
    private async Task<int?> ReserveInStoreAsync(KeyLimits limits, BudgetReservation reservation, bool unpriced)
    {
        try
        {
            return (int)await store.Database.ScriptEvaluateAsync(
                ReserveScript,
                [DayKey(reservation.KeyId, reservation.At), MonthKey(reservation.KeyId, reservation.At), MinuteKey(reservation.KeyId, reservation.At)],
                [
                    unpriced || limits.DailySpendUsd is null ? -1 : Nano(limits.DailySpendUsd.Value),
                    unpriced || limits.MonthlySpendUsd is null ? -1 : Nano(limits.MonthlySpendUsd.Value),
                    limits.TokensPerMinute ?? -1,
                    reservation.CostNanoUsd,
                    reservation.Tokens,
                    (long)TimeSpan.FromDays(2).TotalSeconds,
                    (long)TimeSpan.FromDays(40).TotalSeconds,
                ]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BudgetLog.StoreUnavailable(logger, _options.FailOpen ? "let through" : "refused", ex.GetType().Name);
            metrics.BudgetChecksSkipped.Add(1, new KeyValuePair<string, object?>("outcome", _options.FailOpen ? "allowed" : "refused"));
            return null;
        }
    }

    private (BudgetReservation?, GatewayError?) FailedOpenOrRefused() =>
        _options.FailOpen ? (null, null) : (null, GatewayError.StoreUnavailable());

    private static GatewayError Refusal(int verdict, KeyLimits limits, DateTimeOffset now) => verdict switch
    {
        4 => GatewayError.InvalidRequest("The request's budget reservation is invalid.", null, "invalid_reservation"),
        3 => Refuse("rate_limit_exceeded", $"This key's limit of {limits.TokensPerMinute} tokens per minute would be exceeded.", 60 - now.Second),
        1 => Refuse("budget_exceeded", $"This key's daily budget of {limits.DailySpendUsd} USD would be exceeded.", (int)(now.Date.AddDays(1) - now.UtcDateTime).TotalSeconds),
        _ => Refuse("budget_exceeded", $"This key's monthly budget of {limits.MonthlySpendUsd} USD would be exceeded.", (int)(new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) - now.UtcDateTime).TotalSeconds),
    };

    /// <summary>
    /// Replaces the reservation with what the request actually cost (an unanswered request costs
    /// nothing). Only the first call for a reservation counts.
    /// </summary>
    public async Task SettleAsync(BudgetReservation reservation, AccountingRecord? actual)
    {
        if (!reservation.TryClaimSettlement())
        {
            return;
        }

        var cost = actual?.CostUsd is { } c ? Nano(c) : actual is null ? 0 : reservation.CostNanoUsd;
        var tokens = actual is null ? 0 : actual.InputTokens + actual.OutputTokens;
        if (tokens > reservation.Tokens)
        {
            // Counted as spent all the same: the budget reflects what the provider billed.
            metrics.BudgetOverruns.Add(tokens - reservation.Tokens);
            BudgetLog.Overrun(logger, reservation.KeyId, reservation.Tokens, tokens);
        }

        if (reservation.Lease is { } lease)
        {
            lease.Settle(reservation.Day, reservation.CostNanoUsd, cost);
            return;
        }

        try
        {
            var batch = store.Database.CreateBatch();
            var writes = new[]
            {
                batch.StringIncrementAsync(DayKey(reservation.KeyId, reservation.At), cost - reservation.CostNanoUsd),
                batch.StringIncrementAsync(MonthKey(reservation.KeyId, reservation.At), cost - reservation.CostNanoUsd),
                batch.StringIncrementAsync(MinuteKey(reservation.KeyId, reservation.At), tokens - reservation.Tokens),
            };
            batch.Execute();
            await Task.WhenAll(writes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            BudgetLog.SettleFailed(logger, reservation.KeyId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Gives back to the store what this instance's leases hold unspent, so the other instances may spend it: at
    /// stop. A request still in flight afterwards settles against a lease that holds nothing (conservative).
    /// </summary>
    public async Task ReturnLeasesAsync()
    {
        foreach (var (keyId, lease) in _leases)
        {
            if (lease.TakeUnspent() is not var (day, unspent))
            {
                continue;
            }

            var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            try
            {
                var batch = store.Database.CreateBatch();
                var writes = new[]
                {
                    batch.StringDecrementAsync(DayKey(keyId, at), unspent),
                    batch.StringDecrementAsync(MonthKey(keyId, at), unspent),
                };
                batch.Execute();
                await Task.WhenAll(writes);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                BudgetLog.SettleFailed(logger, keyId, ex.GetType().Name);
            }
        }
    }

    private static GatewayError Refuse(string code, string message, int retryAfterSeconds) =>
        new(StatusCodes.Status429TooManyRequests, new OpenAiError(message, "requests", null, code)) { RetryAfterSeconds = Math.Max(1, retryAfterSeconds) };

    /// <summary>USD in nano-dollars, saturating: no price or token count can make this throw.</summary>
    private static long Nano(decimal usd)
    {
        const decimal MaxUsd = long.MaxValue / 1_000_000_000m;
        return usd >= MaxUsd ? long.MaxValue : usd <= 0 ? 0 : (long)(usd * 1_000_000_000m);
    }

    private string DayKey(string keyId, DateTimeOffset at) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:day:{at:yyyyMMdd}";

    private string MonthKey(string keyId, DateTimeOffset at) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:month:{at:yyyyMM}";

    private string MinuteKey(string keyId, DateTimeOffset at) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:tpm:{at.ToUnixTimeSeconds() / 60}";
}
