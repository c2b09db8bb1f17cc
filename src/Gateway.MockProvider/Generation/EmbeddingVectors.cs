using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LlmGateway.MockProvider.Generation;

/// <summary>
/// Deterministic unit vectors: component i comes from SHA-256(UTF-8 text ‖ int32 LE block), 4 bytes per
/// component mapped to [-1, 1], then the whole vector is L2-normalised. Same text ⇒ same vector, on any machine.
/// </summary>
internal static class EmbeddingVectors
{
    private const int ComponentsPerBlock = SHA256.HashSizeInBytes / sizeof(uint);

    public static float[] For(string text, int dimensions)
    {
        var textLength = Encoding.UTF8.GetByteCount(text);
        var seed = new byte[textLength + sizeof(int)];
        Encoding.UTF8.GetBytes(text, seed);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];

        var vector = new float[dimensions];
        for (var block = 0; block * ComponentsPerBlock < dimensions; block++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(seed.AsSpan(textLength), block);
            SHA256.HashData(seed, hash);
            for (var i = 0; i < ComponentsPerBlock && (block * ComponentsPerBlock) + i < dimensions; i++)
            {
                var bits = BinaryPrimitives.ReadUInt32LittleEndian(hash[(i * sizeof(uint))..]);
                vector[(block * ComponentsPerBlock) + i] = (float)((bits / (double)uint.MaxValue * 2) - 1);
            }
        }

        Normalize(vector);
        return vector;
    }

    /// <summary>The OpenAI base64 encoding: little-endian float32 bytes, regardless of host endianness.</summary>
    public static string ToBase64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    private static void Normalize(float[] vector)
    {
        var sumOfSquares = 0d;
        foreach (var component in vector)
        {
            sumOfSquares += component * (double)component;
        }

        if (sumOfSquares == 0)
        {
            vector[0] = 1; // astronomically unlikely, but a zero vector would break cosine similarity
            return;
        }

        var norm = Math.Sqrt(sumOfSquares);
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(vector[i] / norm);
        }
    }
}
