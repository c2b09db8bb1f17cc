using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace LlmGateway.Sampling;

/// <summary>
/// Maps a request id to a point in [0, 1): the same id always gets the same point, so whether a
/// request is sampled is reproducible, and independent of the canary bucket (another hash).
/// </summary>
internal static class SampleHash
{
    private const long Seed = 0x5A3D_1E55;

    public static double Point(string requestId)
    {
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(requestId.AsSpan()), Seed);

        // The top 53 bits make an exactly representable double in [0, 1).
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    public static bool Hits(string requestId, double rate) => rate >= 1 || (rate > 0 && Point(requestId) < rate);
}
