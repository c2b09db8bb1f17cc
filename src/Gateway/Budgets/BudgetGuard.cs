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
    // cost, tokens, day ttl, month ttl. Returns {verdict, room}: 0 (reserved), 1 (day), 2 (month), 3 (tokens/minute),
    // with the room the counter had left (nano-USD, or tokens); 4 (a negative amount: never reserved, whatever the caller
    // computed); 5, 6 and 7 for day, month and minute when the counter alone is already at its limit (no request of any
    // size fits). The room of a refusal lets the next requests too large for it be refused before any work (ExhaustedKeys).
    private const string ReserveScript = """
        local function over(key, limit, amount)
          if tonumber(limit) < 0 then return 0, 0 end
          local held = tonumber(redis.call('GET', key) or '0')
          if held + tonumber(amount) <= tonumber(limit) then return 0, 0 end
          if held >= tonumber(limit) then return 2, 0 end
          return 1, tonumber(limit) - held
        end
        if tonumber(ARGV[4]) < 0 or tonumber(ARGV[5]) < 0 then return {4, 0} end
        local d, droom = over(KEYS[1], ARGV[1], ARGV[4])
        if d > 0 then return d == 2 and {5, 0} or {1, droom} end
        local m, mroom = over(KEYS[2], ARGV[2], ARGV[4])
        if m > 0 then return m == 2 and {6, 0} or {2, mroom} end
        local t, troom = over(KEYS[3], ARGV[3], ARGV[5])
        if t > 0 then return t == 2 and {7, 0} or {3, troom} end
        redis.call('INCRBY', KEYS[1], ARGV[4])
        redis.call('EXPIRE', KEYS[1], ARGV[6])
        redis.call('INCRBY', KEYS[2], ARGV[4])
        redis.call('EXPIRE', KEYS[2], ARGV[7])
        redis.call('INCRBY', KEYS[3], ARGV[5])
        redis.call('EXPIRE', KEYS[3], 120)
        return {0, 0}
        """;

    // KEYS: day spend, month spend, minute tokens, then a mark for each marked amount. ARGV: nano-USD (signed), tokens
    // (signed), day, month and minute ttl, the marks' ttl, then each marked amount (nano-USD, positive).
    // Every count after a reservation, in one step (it lands whole or not at all), the same rule for each counter. An
    // addition re-arms an expiry the counter lost (it may have expired during a long request, and INCRBY would re-create
    // it without one); a give-back (an unspent reservation or slice, tokens estimated and not used) goes only to a
    // counter that exists, and never below zero: a negative count would be room nobody gave. A marked amount (one that
    // may be sent again: an addition, kept when its count fails) is added to the day and month only when its mark is
    // new: a count the store ran but answered too late (a stall, a brownout) and its retries add it once. Each amount is
    // added as its own argument, never summed here: Lua numbers are doubles, and a large sum would reach INCRBY as
    // "1.2e+14". All keys share the key's {budget:<id>} tag: one slot in a cluster.
    private const string CountScript = """
        local function add(i, amount)
          redis.call('INCRBY', KEYS[i], amount)
          if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ARGV[i + 2]) end
        end
        for i = 1, 3 do
          local arg = (i == 3) and 2 or 1
          local amount = tonumber(ARGV[arg])
          if amount > 0 then
            add(i, ARGV[arg])
          elseif amount < 0 then
            local held = redis.call('GET', KEYS[i])
            if held then redis.call('DECRBY', KEYS[i], math.max(0, math.min(tonumber(held), -amount))) end
          end
        end
        for j = 4, #KEYS do
          if redis.call('SET', KEYS[j], '1', 'NX', 'EX', ARGV[6]) then
            add(1, ARGV[j + 3])
            add(2, ARGV[j + 3])
          end
        end
        return 0
        """;

    private static readonly long DayTtlSeconds = (long)TimeSpan.FromDays(2).TotalSeconds;
    private static readonly long MonthTtlSeconds = (long)TimeSpan.FromDays(40).TotalSeconds;

    // As the reservation sets it: past its minute, with room for a request that settles late.
    private const long MinuteTtlSeconds = 120;

    // A counted amount's mark outlives the day counter it went to (2 days past that day's last reservation) and a day
    // more, so a retry finds it while that counter lives. (The month's counter lives longer: an amount the store leaves
    // unanswered for three days and then counts again is counted twice there, the strict direction.) Marks are written
    // only for additions, which are rare (an overrun, spend let through or beyond a slice), not for every settlement.
    private static readonly long MarkTtlSeconds = (long)TimeSpan.FromDays(3).TotalSeconds;

    // The most marked amounts one retry call carries (one script, one slot: its keys are all the key's).
    private const int MaxMarksPerCall = 100;

    private readonly BudgetOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, SpendLease> _leases = new(StringComparer.Ordinal);
    private readonly SettlementBacklog _backlog = new();
    private readonly ExhaustedKeys _exhausted = new();
    private bool _stopped;

    // The verdict of a reservation the store refused outright (its error, not a limit): never a Lua verdict.
    private const int StoreRefused = -1;

    // How long a lease's failed or refused refill answers the requests behind it.
    private static readonly TimeSpan RefusalMemory = TimeSpan.FromSeconds(1);

    /// <param name="readsUnseenInput">
    /// The provider will read input the body does not show (<see cref="UnseenInput"/>; a file or item named by id is
    /// found by the prompt's count, <see cref="PromptTokenEstimate.ReferencesContent"/>): its spend is reserved for input
    /// up to the context window of the dearest model that may serve it, at most <see cref="BudgetOptions.UnseenInputTokens"/>. Its tokens-per-minute reservation stays what the
    /// body shows (a window-sized one would refuse every such request under a small limit); the minute is settled to what
    /// the provider reports.
    /// </param>
    /// <param name="priorityTier">The request asked for priority processing: priced as the provider will bill it (<see cref="PricingTable.Cost"/>).</param>
    /// <param name="audioOutput">
    /// The request asks for spoken output (<see cref="AudioOutput"/>): its output is reserved at the audio output price, and a
    /// model without one is as a model without a price.
    /// </param>
    public async ValueTask<(BudgetReservation? Reservation, GatewayError? Error)> ReserveAsync(
        GatewayKey key, CatalogModel model, PromptTokenEstimate prompt, long reservedOutputTokens, bool readsUnseenInput = false, bool priorityTier = false,
        ProviderToolUse? tools = null, bool audioOutput = false)
    {
        if (key.Limits is not { IsEmpty: false } limits)
        {
            return (null, null);
        }

        var now = time.GetUtcNow();
        // The request's one estimate: billing reuses it if the provider reports no usage.
        // Images at the most the dearest model that may serve it counts for one (a fallback may count more).
        var imageBound = model.ImageInputTokens;
        var oneEncoding = true;
        foreach (var fallback in model.Fallbacks)
        {
            imageBound = Math.Max(imageBound, fallback.ImageInputTokens);
            oneEncoding &= string.Equals(fallback.Encoding, model.Encoding, StringComparison.Ordinal);
        }

        var spendLimited = limits.HasSpendLimit;
        // A shadow copy's daily budget is never waived for want of a price (no user waits for the copy).
        var refuseUnpriced = _options.RefuseUnpricedModels || key.IsShadow;
        if (spendLimited && refuseUnpriced)
        {
            // Refused for want of a price before the prompt is counted: a refusal must not buy the gateway's tokenizing
            // (a quarter of a megabyte of prompt and an unknown tool type cost 75 ms of CPU, answered 400, at line rate).
            if (tools is { IsEmpty: false } && ToolFees(tools).Unpriced is { } unpricedTool)
            {
                return (null, ToolNotPriced(unpricedTool));
            }

            if (pricing.Cost(model.UpstreamModel, now, new TokenUsage(1, 0, 1, 0, 0, audioOutput ? 1 : 0), priorityTier) is null)
            {
                return (null, ModelNotPriced(model, audioOutput, now));
            }
        }

        // Text in the tokens of the encoding every model that may serve it shares; else a token per byte (never shorter).
        var input = prompt.UpperBound(tokenizers, imageBound, byBytes: !oneEncoding);
        var unseen = readsUnseenInput || prompt.ReferencesContent;
        var output = reservedOutputTokens;
        // Priced at the dearest model that may serve it: a fallback is billed at its own price, and may read a longer
        // stored conversation.
        // Spoken output may be all of it: reserved at the audio output price.
        var audio = audioOutput ? output : 0;
        var cost = pricing.Cost(model.UpstreamModel, now, new TokenUsage(PricedInput(model, input, unseen), 0, output, 0, 0, audio), priorityTier);
        foreach (var fallback in model.Fallbacks)
        {
            if (cost is { } first
                && pricing.Cost(fallback.UpstreamModel, now, new TokenUsage(PricedInput(fallback, input, unseen), 0, output, 0, 0, audio), priorityTier) is { } other
                && other > first)
            {
                cost = other;
            }
        }

        if (tools is { IsEmpty: false } && cost is not null)
        {
            var (fees, unpriced) = ToolFees(tools);
            if (unpriced is not null)
            {
                if (spendLimited && refuseUnpriced)
                {
                    // As for a model without a price: a spend limit cannot be enforced on calls whose fee is unknown.
                    return (null, ToolNotPriced(unpriced));
                }

                cost = null;
            }
            else
            {
                cost += fees;
            }
        }

        if (cost is null && spendLimited && refuseUnpriced)
        {
            // A spend limit cannot be enforced on a model without a price: refuse rather than skip it.
            return (null, ModelNotPriced(model, audio > 0, now));
        }

        if (cost is null && limits.TokensPerMinute is null)
        {
            return (null, null);
        }

        var costNanoUsd = cost is { } c ? NanoUsd.From(c) : 0;
        var bodyBoundOnly = unseen || tools is { IsEmpty: false };
        // A shadow copy is never let through unbudgeted: no user waits for it, and with the store down its spend
        // could be neither limited nor counted (nor its sample written).
        var failOpen = _options.FailOpen && !key.IsShadow;
        if (cost is not null && limits is { TokensPerMinute: null, MonthlySpendUsd: null } && key.SpendSliceUsd is { } slice)
        {
            // Drawn from this instance's slice of the key's day: no store round trip until the slice runs short.
            var lease = _leases.GetOrAdd(key.Id, static (_, slice) => new SpendLease(Math.Max(1, NanoUsd.From(slice))), slice);
            var leased = new BudgetReservation(key.Id, now, costNanoUsd, checked(input + output)) { Lease = lease, BodyBoundOnly = bodyBoundOnly, OutputTokens = output };
            return lease.TryTake(leased.Day, costNanoUsd) ? (leased, null) : await RefillAsync(lease, limits, leased, failOpen);
        }

        // The request's own reservation in the store: every key's way.
        var reservation = new BudgetReservation(key.Id, now, costNanoUsd, checked(input + output)) { BodyBoundOnly = bodyBoundOnly, OutputTokens = output };
        var (verdict, room) = await ReserveInStoreAsync(limits, key.Id, now, costNanoUsd, reservation.Tokens, unpriced: cost is null, failOpen);
        return Outcome(verdict, reservation, limits, failOpen, room);
    }

    /// <summary>
    /// The most the provider's own tools can charge this request: each declared tool's fee times the calls allowed
    /// (<c>max_tool_calls</c> calls of the dearest, else <see cref="BudgetOptions.ProviderToolCallsBound"/> of each), and a
    /// chat request's one search. The first tool without a price, if any.
    /// </summary>
    private (decimal Fees, string? Unpriced) ToolFees(ProviderToolUse tools)
    {
        decimal each = 0, dearest = 0;
        foreach (var tool in tools.Tools)
        {
            if (pricing.ToolCallPrice(tool) is not { } fee)
            {
                return (0, tool);
            }

            each += fee;
            dearest = Math.Max(dearest, fee);
        }

        var fees = tools.MaxToolCalls is { } calls ? calls * dearest : each * _options.ProviderToolCallsBound;
        if (tools.ChatSearch)
        {
            if (pricing.ToolCallPrice(ProviderToolNames.WebSearch) is not { } search)
            {
                return (0, ProviderToolNames.WebSearch);
            }

            fees += search;
        }

        return (fees, null);
    }

    /// <summary>
    /// The input a reservation prices: the body's bound, or, when input the body does not show is read too, the model's
    /// context window (at most <see cref="BudgetOptions.UnseenInputTokens"/>).
    /// </summary>
    private long PricedInput(CatalogModel model, long input, bool unseen) =>
        unseen ? Math.Max(input, Math.Min(model.MaxInputTokens, _options.UnseenInputTokens ?? int.MaxValue)) : input;

    /// <param name="remember">
    /// False for a refusal of a spend lease's refill: this instance's slice may still hold what a smaller request needs,
    /// so what the store said is not what this instance can serve (it keeps its own memory, SpendLease).
    /// </param>
    private (BudgetReservation?, GatewayError?) Outcome(int? verdict, BudgetReservation reservation, KeyLimits limits, bool failOpen, long room = 0, bool remember = true)
    {
        switch (verdict)
        {
            case null:
                // Let through with nothing reserved: its settlement counts all it spent (the store must not read less
                // than was spent once it is back).
                return failOpen ? (new BudgetReservation(reservation.KeyId, reservation.At, 0, 0) { LetThrough = true }, null) : (null, GatewayError.BudgetUnavailable());
            case 0:
                return (reservation, null);
            case StoreRefused:
                // Whatever fail-open says: the store is there, and refuses this reservation every time.
                return (null, GatewayError.BudgetStoreError());
            // A counter at its limit holds nothing; one too small for this request, with the room it had.
            case ExhaustedKeys.Day or ExhaustedKeys.Month or ExhaustedKeys.Minute when remember:
            case 1 or 2 or 3 when remember && room > 0:
                // Never past the counter's own day, month or minute: the next one starts empty.
                var until = time.GetUtcNow() + RefusalMemory;
                var end = ExhaustedKeys.PeriodEnd(verdict.Value, reservation.At);
                _exhausted.Remember(reservation.KeyId, verdict.Value, until < end ? until : end, room);
                return (null, Refusal(verdict.Value, limits, reservation.At));
            default:
                return (null, Refusal(verdict.Value, limits, reservation.At));
        }
    }

    /// <summary>
    /// The refusal a request of <paramref name="key"/> to <paramref name="model"/> gets at once, before it is rendered or
    /// tokenized, when this instance found the key's day, month or minute unable to hold it within <see cref="RefusalMemory"/>
    /// (a spent key would otherwise buy that work for free with every refused request): a counter already at its limit
    /// holds no request priced above nothing (a free one still fits, an unpriced one gets its own answer); one with some
    /// room left holds no request whose least cost (one input token and <paramref name="outputTokens"/>, at the model's
    /// own price) is more than that room.
    /// </summary>
    public GatewayError? RefusedBeforeWork(GatewayKey key, CatalogModel model, long outputTokens)
    {
        var now = time.GetUtcNow();
        if (key.Limits is not { IsEmpty: false } limits || !_exhausted.TryGet(key.Id, now, out var verdict, out var room))
        {
            return null;
        }

        var least = pricing.Cost(model.UpstreamModel, now, new TokenUsage(1, 0, outputTokens, 0));
        var refused = verdict switch
        {
            ExhaustedKeys.Minute => true,
            3 => 1 + outputTokens > room,
            ExhaustedKeys.Day or ExhaustedKeys.Month => least > 0,
            _ => least is { } cost && NanoUsd.From(cost) > room,
        };
        return refused ? Refusal(verdict, limits, now) : null;
    }

    // The slice ran short: one refill at a time (a request that waited may find a slice the refill ahead of it added,
    // or the refusal it got). The store grants a whole slice if the limits allow it,
    // else just this request's shortfall, so the day's last cents still serve the requests that fit.
    private async Task<(BudgetReservation?, GatewayError?)> RefillAsync(SpendLease lease, KeyLimits limits, BudgetReservation leased, bool failOpen)
    {
        var (day, cost) = (leased.Day, leased.CostNanoUsd);
        await lease.Refilling.WaitAsync();
        try
        {
            if (lease.IsBehind(day))
            {
                var alone = new BudgetReservation(leased.KeyId, leased.At, cost, leased.Tokens) { BodyBoundOnly = leased.BodyBoundOnly, OutputTokens = leased.OutputTokens };
                var (aloneVerdict, aloneRoom) = await ReserveInStoreAsync(limits, alone.KeyId, alone.At, cost, alone.Tokens, unpriced: false, failOpen);
                return Outcome(aloneVerdict, alone, limits, failOpen, aloneRoom);
            }

            // What the slice holds goes to this request now (all it needs, when a refill ahead of it added a slice):
            // a request served from the slice meanwhile, on the fast path, cannot take the same part, and the store
            // is asked for the rest only.
            var taken = lease.TakeWhatItHolds(day, cost);
            var need = cost - taken;
            if (need == 0)
            {
                return (leased, null);
            }

            if (lease.TryRecentRefusal(day, time.GetUtcNow(), need, out var recent))
            {
                lease.GiveBack(day, taken);
                return Outcome(recent, leased, limits, failOpen, remember: false);
            }

            var grant = Math.Max(lease.SliceNanoUsd, need);
            var (verdict, room) = await ReserveInStoreAsync(limits, leased.KeyId, leased.At, grant, 0, unpriced: false, failOpen);
            // A limit the grant alone would cross may still fit the request's need; a counter already at its limit fits nothing.
            if (verdict is 1 or 2 && grant > need)
            {
                grant = need;
                (verdict, room) = await ReserveInStoreAsync(limits, leased.KeyId, leased.At, grant, 0, unpriced: false, failOpen);
            }

            if (verdict != 0)
            {
                lease.GiveBack(day, taken);
                // Kept for a moment: the copies behind this one get the same answer without a store call each.
                lease.RememberRefusal(day, verdict, need, time.GetUtcNow() + RefusalMemory);
                return Outcome(verdict, leased, limits, failOpen, remember: false);
            }

            // The lease moved on to a later day during the call: the grant (and what the slice gave) is then this
            // request's own reservation in the store, settled there. (Its minute's tokens were not reserved, so the
            // settlement takes them off a counter that never had them: harmless, a leased key has no tokens-per-minute
            // limit.)
            return lease.AddAndTake(day, grant, need)
                ? (leased, null)
                : (new BudgetReservation(leased.KeyId, leased.At, grant + taken, leased.Tokens) { BodyBoundOnly = leased.BodyBoundOnly, OutputTokens = leased.OutputTokens }, null);
        }
        finally
        {
            lease.Refilling.Release();
        }
    }

    private static GatewayError ToolNotPriced(string tool) => GatewayError.InvalidRequest(
        $"The tool '{tool}' has no price per call (Gateway:Pricing:ToolCalls), so this key's spend limit cannot be enforced on it.", "tools", "tool_not_priced");

    private GatewayError ModelNotPriced(CatalogModel model, bool audio, DateTimeOffset now) => audio && pricing.PriceAt(model.UpstreamModel, now) is not null
        ? GatewayError.InvalidRequest(
            $"The model '{model.Name}' has no audio output price, so this key's spend limit cannot be enforced on audio output.", "modalities", "model_not_priced")
        : GatewayError.InvalidRequest(
            $"The model '{model.Name}' has no price, so this key's spend limit cannot be enforced on it.", "model", "model_not_priced");

    /// <summary>
    /// The Lua reservation's verdict (0 reserved, else the limit it would cross; null when the store failed in a way a
    /// retry can outlive; <see cref="StoreRefused"/> when it answered with an error) and, for a refusal of a request too
    /// large, the room its counter had left.
    /// </summary>
    // When the store's known outage was last logged (Environment.TickCount64), so a flood of requests logs it once a second.
    private long _notConnectedLoggedAt = long.MinValue / 2;

    private async Task<(int? Verdict, long Room)> ReserveInStoreAsync(KeyLimits limits, string keyId, DateTimeOffset at, long costNanoUsd, long tokens, bool unpriced, bool failOpen)
    {
        if (!store.IsConnected)
        {
            // Known down: the outage's verdict now, not after the command has waited out the store's timeout in the
            // client's backlog (every limited key's request held that long, and its concurrency place with it). Logged
            // at most once a second: nothing waits on a timeout now, and requests come at their own rate.
            var nowTicks = Environment.TickCount64;
            var last = Interlocked.Read(ref _notConnectedLoggedAt);
            if (nowTicks - last >= 1000 && Interlocked.CompareExchange(ref _notConnectedLoggedAt, nowTicks, last) == last)
            {
                BudgetLog.StoreUnavailable(logger, failOpen ? "let through" : "refused", "NotConnected");
            }

            metrics.BudgetChecksSkipped.Add(1, new KeyValuePair<string, object?>("outcome", failOpen ? "allowed" : "refused"));
            return (null, 0);
        }

        try
        {
            var result = (RedisResult[])(await store.Database.ScriptEvaluateAsync(
                ReserveScript,
                [DayKey(keyId, at), MonthKey(keyId, at), MinuteKey(keyId, at)],
                [
                    unpriced || limits.DailySpendUsd is null ? -1 : NanoUsd.From(limits.DailySpendUsd.Value),
                    unpriced || limits.MonthlySpendUsd is null ? -1 : NanoUsd.From(limits.MonthlySpendUsd.Value),
                    limits.TokensPerMinute ?? -1,
                    costNanoUsd,
                    tokens,
                    DayTtlSeconds,
                    MonthTtlSeconds,
                ]))!;
            return ((int)result[0], (long)result[1]);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            BudgetLog.StoreUnavailable(logger, failOpen ? "let through" : "refused", ex.GetType().Name);
            metrics.BudgetChecksSkipped.Add(1, new KeyValuePair<string, object?>("outcome", failOpen ? "allowed" : "refused"));
            return (null, 0);
        }
        catch (RedisException ex)
        {
            // The store answered, and refused the script (an INCRBY past the counter's 64-bit range, a key of another
            // type): not an outage that fail-open may wait out. Let through, every such request would go unreserved and
            // uncounted, so a key that could push its own counter to the edge would switch its limits off.
            BudgetLog.ReservationRefusedByStore(logger, keyId, ex.GetType().Name, ex);
            return (StoreRefused, 0);
        }
    }

    /// <summary>
    /// A store failure a retry can outlive (a timeout, a lost connection, a server loading, busy or failing over): the
    /// only kind fail-open lets a request through for, and the only kind a count is kept to retry for.
    /// </summary>
    private static bool IsOutage(Exception ex) => ex is TimeoutException || UnhandledErrorResponder.IsStoreFailure(ex);

    private static GatewayError Refusal(int verdict, KeyLimits limits, DateTimeOffset now) => verdict switch
    {
        4 => GatewayError.InvalidRequest("The request's budget reservation is invalid.", null, "invalid_reservation"),
        3 or ExhaustedKeys.Minute => Refuse("rate_limit_exceeded", $"This key's limit of {limits.TokensPerMinute} tokens per minute would be exceeded.", 60 - now.Second),
        1 or ExhaustedKeys.Day => Refuse("budget_exceeded", $"This key's daily budget of {limits.DailySpendUsd} USD would be exceeded.", (int)(now.Date.AddDays(1) - now.UtcDateTime).TotalSeconds),
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

        var cost = actual?.CostUsd is { } c ? NanoUsd.From(c) : actual is null ? 0 : reservation.CostNanoUsd;
        var tokens = actual is null ? 0 : actual.InputTokens + actual.OutputTokens;
        // A request whose provider reads input the body does not show is expected to pass the body's bound on input;
        // its output past the output it reserved is still an overrun.
        var (counted, bound) = reservation.BodyBoundOnly ? (actual?.OutputTokens ?? 0, reservation.OutputTokens) : (tokens, reservation.Tokens);
        if (counted > bound && !reservation.LetThrough)
        {
            // Counted as spent all the same: the budget reflects what the provider billed.
            metrics.BudgetOverruns.Add(counted - bound);
            BudgetLog.Overrun(logger, reservation.KeyId, bound, counted);
        }

        if (reservation.Lease is { } lease)
        {
            // Settled in the slice; only what it spent beyond the slice goes to the store, at once (kept and retried
            // with the other overruns when the store cannot take it now: a day's change cannot drop it there).
            if (lease.Settle(reservation.Day, reservation.CostNanoUsd, cost) is > 0 and var owed)
            {
                // Marked from the first try: the retries of a count that landed unanswered carry the same mark.
                var mark = Guid.NewGuid();
                if (!await CountAsync(reservation.KeyId, reservation.At, owed, tokens: 0, mark))
                {
                    Keep(reservation.KeyId, reservation.Day, mark, owed);
                }
            }

            return;
        }

        // An overrun the store could not count is kept and retried (RetrySettlementsAsync), under its first try's mark:
        // the store must not read less than was spent, nor count it again if that try landed unanswered. An unspent part it could not take back stays counted (the budget only stricter): given back
        // later, it could land on a counter the store lost and re-created meanwhile, and take off other requests' spend.
        var adjustment = cost - reservation.CostNanoUsd;
        if (adjustment == 0 && tokens == reservation.Tokens)
        {
            return;
        }

        if (reservation.LetThrough && !store.IsConnected)
        {
            // Let through because the store was away, and it still is: kept at once, not after another time-out that the
            // held answer would wait for.
            if (adjustment > 0)
            {
                Keep(reservation.KeyId, reservation.Day, sentAs: null, adjustment);
            }

            return;
        }

        // Only an addition can be kept and sent again, so only an addition is marked (a give-back is never retried): the
        // usual settlement, under its reservation, writes no mark.
        Guid? addition = adjustment > 0 ? Guid.NewGuid() : null;
        if (!await CountAsync(reservation.KeyId, reservation.At, adjustment, tokens - reservation.Tokens, addition) && addition is { } sent)
        {
            Keep(reservation.KeyId, reservation.Day, sent, adjustment);
        }
    }

    /// <summary>The keys and days whose overruns wait for the store.</summary>
    public int PendingSettlements => _backlog.Count;

    /// <summary>
    /// Counts the overruns the store could not take before (one batch; no try while the store is known away); what fails
    /// again stays kept, under the marks it was sent with. Returns the keys and days still waiting.
    /// </summary>
    public async Task<int> RetrySettlementsAsync()
    {
        // With the store known away a try cannot land; each would only turn the amounts merged since the last (never
        // sent, under one id) into one more kept under its own id.
        if (!store.IsConnected)
        {
            return _backlog.Count;
        }

        // Each call one key's day and at most MaxMarksPerCall of its amounts, each under its mark.
        var calls = new List<(string KeyId, DateOnly Day, List<KeptSettlement> Settlements)>();
        foreach (var (keyId, day, settlements) in _backlog.TakeAll())
        {
            for (var first = 0; first < settlements.Count; first += MaxMarksPerCall)
            {
                calls.Add((keyId, day, settlements.GetRange(first, Math.Min(MaxMarksPerCall, settlements.Count - first))));
            }
        }

        if (calls.Count == 0)
        {
            return _backlog.Count;
        }

        var writes = new Task[calls.Count];
        try
        {
            var batch = store.Database.CreateBatch();
            for (var i = 0; i < calls.Count; i++)
            {
                var (keyId, day, settlements) = calls[i];
                var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                RedisKey[] keys = [DayKey(keyId, at), MonthKey(keyId, at), MinuteKey(keyId, at), .. settlements.Select(s => (RedisKey)MarkKey(keyId, s.Id))];
                RedisValue[] args = [0, 0, DayTtlSeconds, MonthTtlSeconds, MinuteTtlSeconds, MarkTtlSeconds, .. settlements.Select(s => (RedisValue)s.NanoUsd)];
                writes[i] = batch.ScriptEvaluateAsync(CountScript, keys, args);
            }

            batch.Execute();
            await Task.WhenAll(writes);
        }
        catch (Exception ex)
        {
            // Whatever failed, what was taken and not written is kept below: nothing taken is lost here.
            BudgetLog.RetryFailed(logger, calls.Sum(c => c.Settlements.Count), ex.GetType().Name);
        }

        var settled = 0;
        for (var i = 0; i < calls.Count; i++)
        {
            if (writes[i] is { IsCompletedSuccessfully: true })
            {
                settled += calls[i].Settlements.Count;
            }
            else if (writes[i]?.Exception?.InnerException is RedisException refused && !IsOutage(refused))
            {
                // Refused by the store, not lost on the way (a counter past its range): kept, it would fail the same way
                // at every try until the stop.
                BudgetLog.CountRefusedByStore(logger, calls[i].Settlements.Sum(k => k.NanoUsd), calls[i].KeyId, refused.GetType().Name, refused);
            }
            else
            {
                // Already accepted once: back in, past the bound if new keys filled it meanwhile, each under the mark it
                // was sent with (the store may have counted it without answering).
                _backlog.Restore(calls[i].KeyId, calls[i].Day, calls[i].Settlements);
            }
        }

        if (settled > 0)
        {
            BudgetLog.AdjustmentsWritten(logger, settled);
        }

        return _backlog.Count;
    }

    /// <param name="sentAs">The mark the store was asked to count it under (null: never sent).</param>
    private void Keep(string keyId, DateOnly day, Guid? sentAs, long nanoUsd)
    {
        if (nanoUsd <= 0)
        {
            return;
        }

        if (Volatile.Read(ref _stopped))
        {
            // A request that outlived the stop's last try: nothing will count it now.
            BudgetLog.SettlementsLost(logger, 1);
        }
        else if (!_backlog.Add(keyId, day, sentAs, nanoUsd))
        {
            BudgetLog.BacklogFull(logger, nanoUsd, keyId, SettlementBacklog.MaxEntries);
        }
    }

    // Adds to (or gives back from) the day's and month's spend and the minute's tokens, in one step; false when the
    // store failed in a way a retry can outlive (logged: the caller keeps an addition to retry). A count the store
    // refused outright is logged and answers true: nothing to keep. A marked addition counts only if its mark is new
    // (CountScript).
    private async Task<bool> CountAsync(string keyId, DateTimeOffset at, long nanoUsd, long tokens, Guid? mark = null)
    {
        try
        {
            RedisKey day = DayKey(keyId, at), month = MonthKey(keyId, at), minute = MinuteKey(keyId, at);
            await (mark is { } id
                ? store.Database.ScriptEvaluateAsync(
                    CountScript, [day, month, minute, MarkKey(keyId, id)], [0, tokens, DayTtlSeconds, MonthTtlSeconds, MinuteTtlSeconds, MarkTtlSeconds, nanoUsd])
                : store.Database.ScriptEvaluateAsync(CountScript, [day, month, minute], [nanoUsd, tokens, DayTtlSeconds, MonthTtlSeconds, MinuteTtlSeconds]));
            return true;
        }
        catch (RedisException ex) when (!IsOutage(ex))
        {
            // The store ran the count and refused it (a counter past its 64-bit range): every retry would fail the same
            // way and hold a backlog entry until the stop. Logged as lost instead; the counters already read high.
            BudgetLog.CountRefusedByStore(logger, nanoUsd, keyId, ex.GetType().Name, ex);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // (Disposed or not connected: the store closed under a request that outlived the stop.)
            BudgetLog.SettleFailed(logger, keyId, ex.GetType().Name);
            return false;
        }
    }

    /// <summary>
    /// At stop: gives back to the store what this instance's leases hold unspent today, so the other instances may
    /// spend it, and makes a last try at every overrun still waiting (one batch), leased keys' too. Returns the
    /// keys and days the store still did not take. A request still in flight afterwards settles against a lease that
    /// holds nothing (conservative).
    /// </summary>
    public async Task<int> ReturnLeasesAsync()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var midnight = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var givebacks = new List<Task>();
        foreach (var (keyId, lease) in _leases)
        {
            // An earlier day's slice no longer limits anything (and its counter may have expired). A give-back the
            // store cannot take leaves the slice counted: the budget only stricter. All at once: a store that is down
            // costs the stop one time-out, not one per key.
            if (lease.TakeUnspent() is var (day, unspent) && day == today && unspent > 0)
            {
                givebacks.Add(CountAsync(keyId, midnight, -unspent, tokens: 0));
            }
        }

        await Task.WhenAll(givebacks);

        // From here a settlement the store cannot take is logged lost (Keep): this is the last try.
        Volatile.Write(ref _stopped, true);
        await RetrySettlementsAsync();
        return _backlog.Count;
    }

    private static GatewayError Refuse(string code, string message, int retryAfterSeconds) =>
        new(StatusCodes.Status429TooManyRequests, new OpenAiError(message, "requests", null, code)) { RetryAfterSeconds = Math.Max(1, retryAfterSeconds) };

    /// <summary>USD in nano-dollars, saturating: no price or token count can make this throw.</summary>
    private string DayKey(string keyId, DateTimeOffset at) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:day:{at:yyyyMMdd}";

    private string MonthKey(string keyId, DateTimeOffset at) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:month:{at:yyyyMM}";

    private string MinuteKey(string keyId, DateTimeOffset at) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:tpm:{at.ToUnixTimeSeconds() / 60}";

    // A counted addition's mark (CountScript), in the key's slot.
    private string MarkKey(string keyId, Guid id) => $"{store.Keys.Prefix}:{{budget:{keyId}}}:counted:{id:N}";
}
