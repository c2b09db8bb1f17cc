using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LlmGateway.MockProvider.Behaviour;

/// <summary>
/// The deterministic "random" draw behind a probability directive: SHA-256 of <c>UTF-8(name) ‖ 0x00 ‖ UTF-8(key)</c>,
/// whose first 8 bytes (big-endian) give 53 bits mapped to [0, 1). The key is the request's user text, so the same
/// text always gets the same outcome, distinct texts are independent, and each directive draws independently.
/// </summary>
internal static class BehaviourDraw
{
    public static double Of(string directive, string key)
    {
        var bytes = Encoding.UTF8.GetBytes(directive + "\0" + key);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>True with probability <paramref name="probability"/> (0 never, 1 always).</summary>
    public static bool Hits(string directive, string key, double probability) =>
        probability > 0 && Of(directive, key) < probability;
}
