using System.Globalization;

namespace LlmGateway.Cli.Output;

/// <summary>How values read in tables and summaries; shared so the same value looks the same everywhere.</summary>
internal static class Display
{
    /// <summary>Enough of a SHA-256 id to tell versions apart, as git shows commits.</summary>
    public const int IdPrefixLength = 12;

    public static string IdPrefix(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return TextTable.Missing;
        }

        // Tolerate an algorithm prefix such as "sha256:" so the prefix shows the hash itself.
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var hash = colon >= 0 ? id[(colon + 1)..] : id;
        return hash.Length <= IdPrefixLength ? hash : hash[..IdPrefixLength];
    }

    /// <summary>UTC, to the second: <c>2026-11-29 12:00:00Z</c>.</summary>
    public static string Instant(DateTimeOffset? instant) =>
        instant is { } value
            ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : TextTable.Missing;

    public static string Number(long? value) =>
        value is { } number ? number.ToString(CultureInfo.InvariantCulture) : TextTable.Missing;

    /// <summary>"v3", or "-" when there is none.</summary>
    public static string Version(int? version) =>
        version is { } number ? "v" + number.ToString(CultureInfo.InvariantCulture) : TextTable.Missing;

    /// <summary>Basis points as a percentage: 1000 → "10%", 250 → "2.5%", 1 → "0.01%".</summary>
    public static string Weight(int? basisPoints) =>
        basisPoints is { } bps
            ? (bps / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%"
            : TextTable.Missing;

    /// <summary>
    /// A fraction as a percentage: 0.05 → "5%", 0.125 → "12.5%", 0.0001 → "0.01%". Read through decimal (15 significant
    /// digits), so a rate the gateway sent as 0.05 shows as "5%", not as the double's nearest binary value.
    /// </summary>
    public static string Rate(double? fraction) =>
        fraction switch
        {
            null => TextTable.Missing,
            { } value when double.IsFinite(value) && Math.Abs(value) < 1e15 => ((decimal)value * 100m).ToString("0.######", CultureInfo.InvariantCulture) + "%",
            { } value => (value * 100).ToString("0.######", CultureInfo.InvariantCulture) + "%",
        };

    public static string Text(string? value) => string.IsNullOrWhiteSpace(value) ? TextTable.Missing : value;
}
