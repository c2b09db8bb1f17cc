using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace LlmGateway.Routing;

/// <summary>
/// Sticky, weighted stable/canary choice: <c>XxHash3(salt, prompt, key) mod 10000</c> against the
/// canary weight in basis points. A key's bucket never changes while the salt stays, so raising the
/// weight only moves users from stable to canary; a new salt, or another prompt, reshuffles.
/// </summary>
internal static class VariantSelector
{
    public const int Buckets = 10_000;

    private const int StackLimit = 512;

    public static bool IsCanary(string salt, string prompt, string stickinessKey, int canaryWeightBps) =>
        canaryWeightBps > 0 && (canaryWeightBps >= Buckets || Bucket(salt, prompt, stickinessKey) < canaryWeightBps);

    public static int Bucket(string salt, string prompt, string stickinessKey)
    {
        // Lengths first, so ("ab","c") and ("a","bc") differ; then the UTF-16 code units as they
        // are (no encoding step). The static one-shot hash keeps this allocation-free.
        var size = 12 + ((salt.Length + prompt.Length + stickinessKey.Length) * sizeof(char));
        byte[]? rented = null;
        var buffer = size <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(buffer, salt.Length);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[4..], prompt.Length);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], stickinessKey.Length);
            var offset = 12;
            offset += Copy(salt, buffer[offset..]);
            offset += Copy(prompt, buffer[offset..]);
            offset += Copy(stickinessKey, buffer[offset..]);
            return (int)(XxHash3.HashToUInt64(buffer[..offset]) % Buckets);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Copy(string text, Span<byte> destination)
    {
        var bytes = MemoryMarshal.AsBytes(text.AsSpan());
        bytes.CopyTo(destination);
        return bytes.Length;
    }
}
