using System.Globalization;
using System.Security.Cryptography;

namespace LlmGateway.Sampling;

/// <summary>
/// Sample ids sort by time: <c>smp_</c>, 12 hex digits of unix milliseconds, 10 random hex digits.
/// Request ids can come from clients and repeat; sample ids never do.
/// </summary>
internal static class SampleIds
{
    public const string Prefix = "smp_";

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static string New(DateTimeOffset at) =>
        Prefix + at.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    public static bool IsWellFormed(string id) =>
        id.Length == Prefix.Length + 22 && id.StartsWith(Prefix, StringComparison.Ordinal) && !id.AsSpan(Prefix.Length).ContainsAnyExcept(Hex);
}
