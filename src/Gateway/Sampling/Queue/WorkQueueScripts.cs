namespace LlmGateway.Sampling.Queue;

/// <summary>
/// The queue's Lua. Each script is one atomic step (Garnet runs with Lua transaction mode),
/// which is what keeps an item in exactly one place and under at most one live claim. The
/// caller passes "now" so tests can drive the clock and scripts stay deterministic. Only
/// list, sorted-set and hash commands that both Redis 7 and Garnet 2.2 support are used.
/// </summary>
internal static class WorkQueueScripts
{
    // KEYS: ready, attempts.
    // ARGV: the most items waiting, the most given up with their attempt counts in one call.
    // Returns: how many of the oldest waiting items (the claiming end) were given up. With no attempt counts to drop,
    // one LTRIM takes the whole excess; otherwise at most ARGV[2] go per call (the next enqueue takes more), so a queue
    // grown far past the cap is never read into one script's memory.
    public const string Trim = """
        local over = redis.call('LLEN', KEYS[1]) - tonumber(ARGV[1])
        if over <= 0 then
          return 0
        end
        if redis.call('HLEN', KEYS[2]) == 0 then
          redis.call('LTRIM', KEYS[1], 0, -over - 1)
          return over
        end
        local n = math.min(over, tonumber(ARGV[2]))
        local dropped = redis.call('LRANGE', KEYS[1], -n, -1)
        redis.call('LTRIM', KEYS[1], 0, -n - 1)
        for i = 1, #dropped do
          redis.call('HDEL', KEYS[2], dropped[i])
        end
        return n
        """;

    // Claim's and Release's: the oldest dead letters beyond the cap (-1: none) go from the tail, at most 1000 a call, so
    // a list grown before the cap (or past a lowered one) shrinks over several calls instead of stalling the store in
    // one. Returns how many went.
    private const string TrimDead = """
        local function trimDead(key, maxDead)
          if maxDead < 0 then return 0 end
          local over = math.min(redis.call('LLEN', key) - maxDead, 1000)
          local dropped = 0
          while dropped < over and redis.call('RPOP', key) do
            dropped = dropped + 1
          end
          return dropped
        end

        """;

    // KEYS: ready, inflight, attempts, receipts, dead.
    // ARGV: now (unix ms), deadline (unix ms), max to claim, max attempts, max expired to move, receipt prefix,
    // the most dead letters kept (-1: no cap).
    // Returns: { dead-lettered count, oldest dead letters dropped, id, receipt, attempt, id, receipt, attempt, ... }.
    public const string Claim = TrimDead + """
        local maxAttempts = tonumber(ARGV[4])
        local dead = 0
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[5]))
        local back = {}
        for i = 1, #expired do
          local id = expired[i]
          redis.call('ZREM', KEYS[2], id)
          redis.call('HDEL', KEYS[4], id)
          if tonumber(redis.call('HGET', KEYS[3], id) or '0') >= maxAttempts then
            redis.call('HDEL', KEYS[3], id)
            redis.call('LPUSH', KEYS[5], id)
            dead = dead + 1
          else
            back[#back + 1] = id
          end
        end
        -- To the head, not the tail: these have waited longer than anything enqueued since.
        -- Backwards, so the longest-expired ends up nearest the head and is redelivered first.
        for i = #back, 1, -1 do
          redis.call('RPUSH', KEYS[1], back[i])
        end
        local dropped = 0
        if dead > 0 then
          dropped = trimDead(KEYS[5], tonumber(ARGV[7]))
        end
        local result = { dead, dropped }
        for i = 1, tonumber(ARGV[3]) do
          local id = redis.call('RPOP', KEYS[1])
          if not id then break end
          -- A second push of an id already in flight (a push whose reply was lost is pushed again) is dropped: its
          -- claim would supersede the first one's receipt and have it processed (judged, paid) twice. The copy in
          -- flight is acked or released as usual; released, it comes back. (No goto: Redis runs Lua 5.1.)
          if not redis.call('ZSCORE', KEYS[2], id) then
            local attempt = redis.call('HINCRBY', KEYS[3], id, 1)
            local receipt = ARGV[6] .. i
            redis.call('ZADD', KEYS[2], ARGV[2], id)
            redis.call('HSET', KEYS[4], id, receipt)
            result[#result + 1] = id
            result[#result + 1] = receipt
            result[#result + 1] = attempt
          end
        end
        return result
        """;

    // KEYS: ready, inflight. Returns the smallest of the oldest waiting id and the ids in flight (byte order), or nil.
    public const string OldestPending = """
        local oldest = redis.call('LINDEX', KEYS[1], -1)
        local inflight = redis.call('ZRANGE', KEYS[2], 0, -1)
        for i = 1, #inflight do
          if (not oldest) or inflight[i] < oldest then oldest = inflight[i] end
        end
        return oldest
        """;

    // KEYS: inflight, attempts, receipts. ARGV: id, receipt, id, receipt, ...
    // Returns one flag per pair: 1 if acked, 0 if the receipt is not current.
    public const string Ack = """
        local result = {}
        for i = 1, #ARGV, 2 do
          if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[i + 1] then
            redis.call('ZREM', KEYS[1], ARGV[i])
            redis.call('HDEL', KEYS[2], ARGV[i])
            redis.call('HDEL', KEYS[3], ARGV[i])
            result[#result + 1] = 1
          else
            result[#result + 1] = 0
          end
        end
        return result
        """;

    // KEYS: inflight, attempts, receipts, ready, dead. ARGV: id, receipt, max attempts, the most dead letters kept (-1: no cap),
    // 1 to give the claim's attempt back (the consumer failed, not the item).
    // Returns 0 if the receipt is not current, 1 if back in ready, 2 + n if dead-lettered with the n oldest dead letters
    // dropped for the cap (at most 1000 a call, as Claim).
    public const string Release = TrimDead + """
        if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        if ARGV[5] == '1' then
          if tonumber(redis.call('HINCRBY', KEYS[2], ARGV[1], -1)) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
          redis.call('RPUSH', KEYS[4], ARGV[1])
          return 1
        end
        if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') >= tonumber(ARGV[3]) then
          redis.call('HDEL', KEYS[2], ARGV[1])
          redis.call('LPUSH', KEYS[5], ARGV[1])
          return 2 + trimDead(KEYS[5], tonumber(ARGV[4]))
        end
        redis.call('RPUSH', KEYS[4], ARGV[1])
        return 1
        """;

    // KEYS: inflight, receipts. ARGV: id, receipt, new deadline (unix ms). Returns 1 if extended.
    public const string Extend = """
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
        return 1
        """;

    // KEYS: dead, ready, attempts. ARGV: max to move. Returns the number moved, oldest dead letter first.
    public const string RequeueDead = """
        local moved = 0
        for i = 1, tonumber(ARGV[1]) do
          local id = redis.call('RPOP', KEYS[1])
          if not id then break end
          redis.call('HDEL', KEYS[3], id)
          redis.call('LPUSH', KEYS[2], id)
          moved = moved + 1
        end
        return moved
        """;
}
