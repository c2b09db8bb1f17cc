using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Request ids a hostile client would send: ids that the gateway's former decision (XxHash3 of the
/// request id under a fixed, public seed) put under a rate, so a client could choose to be sampled.
/// </summary>
internal static class SamplingForgedIds
{
    private const long FormerSeed = 0x5A3D_1E55;

    /// <summary><paramref name="count"/> well-formed request ids whose former point is below <paramref name="rate"/>.</summary>
    public static string[] UnderRate(double rate, int count, string prefix = "req_forged_")
    {
        var ids = new List<string>(count);
        for (var i = 0; ids.Count < count; i++)
        {
            var id = prefix + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            if (FormerPoint(id) < rate)
            {
                ids.Add(id);
            }
        }

        return [.. ids];
    }

    /// <summary>The point the former decision gave an id: public, so anyone could compute it.</summary>
    public static double FormerPoint(string requestId) =>
        (XxHash3.HashToUInt64(MemoryMarshal.AsBytes(requestId.AsSpan()), FormerSeed) >> 11) * (1.0 / (1UL << 53));
}
