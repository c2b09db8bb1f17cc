using System.Globalization;

namespace LlmGateway.Cli.History;

/// <summary>
/// Reads the instants of <c>--at</c>, <c>--from</c> and <c>--to</c>: ISO-8601 (<c>2026-07-20T14:00:00Z</c>,
/// <c>…+02:00</c>, fractions allowed), a date (<c>2026-07-20</c>, meaning 00:00Z) or a date and time with a
/// space (<c>2026-07-20 14:00</c>). A time without an offset is UTC, never the machine's local time, so the
/// same command means the same instant wherever it runs.
/// </summary>
internal static class InstantParser
{
    public const string Examples = "2026-07-20, 2026-07-20 14:00, 2026-07-20T14:00:00Z or 2026-07-20T16:00:00+02:00";

    private static readonly string[] Formats = BuildFormats();

    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // 'K' accepts "Z", "+02:00" or nothing; AssumeUniversal makes nothing mean UTC.
        if (!DateTimeOffset.TryParseExact(
                text.Trim(),
                Formats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal,
                out var parsed))
        {
            return false;
        }

        instant = parsed.ToUniversalTime();
        return true;
    }

    public static string ErrorMessage(string optionName, string text) =>
        $"{optionName} '{text}' is not a date or time; use ISO-8601, e.g. {Examples}.";

    private static string[] BuildFormats()
    {
        string[] times = ["HH:mm", "HH:mm:ss", "HH:mm:ss.FFFFFFF"];
        var formats = new List<string> { "yyyy-MM-dd" };
        foreach (var separator in new[] { "'T'", "' '" })
        {
            foreach (var time in times)
            {
                formats.Add($"yyyy-MM-dd{separator}{time}K");
            }
        }

        return [.. formats];
    }
}
