namespace LlmGateway.Behaviour;

/// <summary>The one Lua step that counts a batch of a prompt's samples into its series, each sample at most once.</summary>
internal static class BehaviourScripts
{
    /// <summary>
    /// KEYS: N sample marks, then H series hashes. ARGV: N, mark TTL (s), H, H hash TTLs (s), F, then F triples
    /// (hash index 1..H, field name, delta): the batch's deltas, already summed per field by the caller.
    /// <para>
    /// A sample whose mark already exists (a redelivery after a crash between write and ack) must add nothing, but
    /// its deltas are inside the sums. So the step checks every mark first and, if any exists, writes nothing and
    /// returns <c>{0, i…}</c>, the marks (1-based) found; the caller sums again without those samples and retries.
    /// Otherwise it sets every mark, applies the sums and returns <c>{N}</c>. Summing in the caller sends one
    /// triple per field instead of one pair per sample and field: a batch of 100 samples was some 20,000 arguments.
    /// </para>
    /// </summary>
    public const string Count = """
        local n = tonumber(ARGV[1])
        local found = {0}
        for i = 1, n do
          if redis.call('EXISTS', KEYS[i]) == 1 then
            found[#found + 1] = i
          end
        end
        if #found > 1 then
          return found
        end
        for i = 1, n do
          redis.call('SET', KEYS[i], '1', 'EX', ARGV[2])
        end
        local h = tonumber(ARGV[3])
        local at = 4 + h
        local f = tonumber(ARGV[at])
        at = at + 1
        for j = 1, f do
          redis.call('HINCRBYFLOAT', KEYS[n + tonumber(ARGV[at])], ARGV[at + 1], ARGV[at + 2])
          at = at + 3
        end
        for k = 1, h do
          redis.call('EXPIRE', KEYS[n + k], ARGV[3 + k])
        end
        return {n}
        """;
}
