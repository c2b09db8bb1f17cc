namespace LlmGateway.Behaviour;

/// <summary>The one Lua step that counts a batch of a prompt's samples into its series, each sample at most once.</summary>
internal static class BehaviourScripts
{
    /// <summary>
    /// KEYS: the counted set of the prompt's environment (a sorted set of sample ids, scored by when they were counted),
    /// the prompt's counted set of before the marks were per environment (only read), then H series keys (hashes, and the units' HyperLogLogs). ARGV: N, now (unix ms), the oldest mark kept (unix ms), the most marks kept, the set's TTL (s), the N
    /// sample ids, H, H hash TTLs (s), F, then F triples (hash index 1..H, field name, delta): the batch's deltas,
    /// already summed per field by the caller; then U, then U pairs (key index 1..H, unit): the assignment units to add to
    /// the HyperLogLogs among the H keys (in the same step as the sums, so a unit is counted with its samples or not at all).
    /// <para>
    /// A sample already in either set (a redelivery after a crash between write and ack, or a dead letter requeued) must
    /// add nothing, but its deltas are inside the sums. So the step checks every id first and, if any is there, writes
    /// nothing and returns <c>{0, i…}</c>, the ids (1-based) found; the caller sums again without those samples and
    /// retries. Otherwise it adds every id, trims the set by age and count, applies the sums and returns <c>{N}</c>.
    /// Summing in the caller sends one triple per field instead of one pair per sample and field: a batch of 100
    /// samples was some 20,000 arguments.
    /// </para>
    /// <para>
    /// One set per prompt and environment, bounded like its samples (their retention, and a multiple of their count cap,
    /// which is per environment: another environment's marks must not push these out): a mark is needed only while its
    /// sample can still be scored, and a key per sample kept for days grew with the sampling rate, far past the samples
    /// it marked.
    /// </para>
    /// </summary>
    public const string Count = """
        local n = tonumber(ARGV[1])
        local found = {0}
        for i = 1, n do
          if redis.call('ZSCORE', KEYS[1], ARGV[5 + i]) or redis.call('ZSCORE', KEYS[2], ARGV[5 + i]) then
            found[#found + 1] = i
          end
        end
        if #found > 1 then
          return found
        end
        for i = 1, n do
          redis.call('ZADD', KEYS[1], ARGV[2], ARGV[5 + i])
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[4]) - 1)
        redis.call('EXPIRE', KEYS[1], ARGV[5])
        local at = 6 + n
        local h = tonumber(ARGV[at])
        local ttls = at + 1
        at = ttls + h
        local f = tonumber(ARGV[at])
        at = at + 1
        for j = 1, f do
          redis.call('HINCRBYFLOAT', KEYS[2 + tonumber(ARGV[at])], ARGV[at + 1], ARGV[at + 2])
          at = at + 3
        end
        local u = tonumber(ARGV[at])
        at = at + 1
        for j = 1, u do
          redis.call('PFADD', KEYS[2 + tonumber(ARGV[at])], ARGV[at + 1])
          at = at + 2
        end
        for k = 1, h do
          redis.call('EXPIRE', KEYS[2 + k], ARGV[ttls + k - 1])
        end
        return {n}
        """;

    /// <summary>
    /// Drops one idle series from the index. KEYS: the index, the seen hash (one slot: <c>{beh}</c>). ARGV: the member,
    /// the cut-off (unix ms), now (unix ms). Checked and removed in one step, so a batch counting into the series at
    /// that moment (which sets its seen time and re-adds it) is never undone: it is removed only if it was not seen
    /// since the cut-off. A member never seen (listed before the seen times were kept) starts its clock now.
    /// Returns 1 when removed.
    /// </summary>
    public const string PruneIdle = """
        local seen = redis.call('HGET', KEYS[2], ARGV[1])
        if not seen then
          if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
          end
          return 0
        end
        if tonumber(seen) >= tonumber(ARGV[2]) then
          return 0
        end
        redis.call('SREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return 1
        """;
}
