using System.Runtime.CompilerServices;

namespace LlmGateway.Eval.Statistics;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Implemented here rather than using
/// <c>new Random(seed)</c> because .NET does not promise that a seeded <see cref="Random"/> yields the same
/// sequence across runtime versions, and a recorded seed must reproduce a CI after an upgrade too. It is also
/// a few instructions per draw, inlined, and a value type, so the bootstrap's inner loop allocates nothing and
/// makes no calls.
/// </summary>
internal struct Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256StarStar(ulong seed)
    {
        // SplitMix64 spreads any seed (0 included) into a state that is never all zeros.
        _s0 = SplitMix64(ref seed);
        _s1 = SplitMix64(ref seed);
        _s2 = SplitMix64(ref seed);
        _s3 = SplitMix64(ref seed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Uniform in [0, <paramref name="bound"/>) without modulo bias (Lemire's multiply-shift with rejection); the
    /// rejection branch almost never runs, so a draw is one multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextIndex(int bound)
    {
        var n = (uint)bound;
        var product = (NextUInt64() >> 32) * n;
        if ((uint)product < n)
        {
            var threshold = (0u - n) % n;
            while ((uint)product < threshold)
            {
                product = (NextUInt64() >> 32) * n;
            }
        }

        return (int)(product >> 32);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
