namespace LlmGateway.Behaviour;

/// <summary>The one Lua step that counts a batch of a prompt's samples into its series, each sample at most once.</summary>
internal static class BehaviourScripts
{
    /// <summary>
    /// KEYS: N sample marks, then H series hashes. ARGV: N, mark TTL (s), H, H hash TTLs (s), F, F pairs
    /// (hash index 1..H, field name), then per sample: its pair count c and c pairs (field index 1..F, delta).
    /// A sample whose mark already exists (a redelivery after a crash between write and ack) adds nothing.
    /// Deltas of the new samples are summed first, so each field is incremented once per batch.
    /// Returns how many samples were counted.
    /// </summary>
    public const string Count = """
        local n = tonumber(ARGV[1])
        local markTtl = ARGV[2]
        local h = tonumber(ARGV[3])
        local at = 4 + h
        local f = tonumber(ARGV[at])
        at = at + 1
        local fieldHash = {}
        local fieldName = {}
        for j = 1, f do
          fieldHash[j] = tonumber(ARGV[at])
          fieldName[j] = ARGV[at + 1]
          at = at + 2
        end
        local sums = {}
        local counted = 0
        for i = 1, n do
          local c = tonumber(ARGV[at])
          at = at + 1
          if redis.call('SET', KEYS[i], '1', 'NX', 'EX', markTtl) then
            counted = counted + 1
            for k = 1, c do
              local j = tonumber(ARGV[at])
              sums[j] = (sums[j] or 0) + tonumber(ARGV[at + 1])
              at = at + 2
            end
          else
            at = at + 2 * c
          end
        end
        for j = 1, f do
          local d = sums[j]
          if d and d ~= 0 then
            redis.call('HINCRBYFLOAT', KEYS[n + fieldHash[j]], fieldName[j], tostring(d))
          end
        end
        if counted > 0 then
          for k = 1, h do
            redis.call('EXPIRE', KEYS[n + k], ARGV[3 + k])
          end
        end
        return counted
        """;
}
