using System.Globalization;

namespace LlmGateway.Rollouts;

/// <summary>Durations as plans write them: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, or a whole number of seconds.</summary>
internal static class DurationText
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        var unit = trimmed[^1];
        var (digits, scale) = unit switch
        {
            's' => (trimmed[..^1], 1L),
            'm' => (trimmed[..^1], 60L),
            'h' => (trimmed[..^1], 3600L),
            'd' => (trimmed[..^1], 86400L),
            _ => (trimmed, 1L),
        };
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > 30L * 86400 / scale)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * scale);
        return true;
    }

    public static string Format(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        return seconds % 3600 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h")
            : seconds % 60 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
    }
}
