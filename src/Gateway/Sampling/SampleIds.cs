using System.Globalization;

namespace LlmGateway.Sampling;

/// <summary>
/// Sample ids sort by time: <c>smp_</c>, 12 hex digits of unix milliseconds, 10 random hex digits.
/// Request ids can come from clients and repeat; sample ids never do.
/// </summary>
internal static class SampleIds
{
    public const string Prefix = "smp_";

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// The random digits' generator: its own per thread, seeded by the system once per thread. An id needs to be unique,
    /// not unguessable (it grants nothing; reading a sample takes a sample-reader token), and the cryptographic source
    /// cost a call into OpenSSL per sample. Not <see cref="Random.Shared"/>, whose outputs feed the sampling draws.
    /// </summary>
    [ThreadStatic]
    private static Random? t_random;

    public static string New(DateTimeOffset at)
    {
        Span<byte> random = stackalloc byte[5];
        (t_random ??= new Random()).NextBytes(random);
        return Prefix + at.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(random);
    }

    /// <summary>The time an id was made for (the request's), to the millisecond; false for an id not made here.</summary>
    public static bool TryGetTime(string id, out DateTimeOffset at)
    {
        at = default;
        if (!IsWellFormed(id) || !long.TryParse(id.AsSpan(Prefix.Length, 12), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ms)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    public static bool IsWellFormed(string id) =>
        id.Length == Prefix.Length + 22 && id.StartsWith(Prefix, StringComparison.Ordinal) && !id.AsSpan(Prefix.Length).ContainsAnyExcept(Hex);
}
