using System.CommandLine;
using System.Globalization;

namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// <c>--step</c>: the width of a behaviour bucket, as <c>1m</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, <c>300s</c> or plain
/// seconds (<c>300</c>), read to seconds; the gateway buckets by whole minutes, so anything else fails at parse time.
/// </summary>
internal static class StepOption
{
    public const string Examples = "1m, 5m, 1h, 1d or 300 (seconds)";

    /// <summary>A day of one-minute steps is more than a table shows; a year is as long as a step makes sense.</summary>
    public const int MaximumSeconds = 366 * 86_400;

    public static Option<int?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (!TryParseSeconds(text, out var seconds))
            {
                result.AddError($"{name} '{text}' is not a duration; use {Examples}.");
                return null;
            }

            if (seconds % 60 != 0)
            {
                result.AddError($"{name} '{text}' is not a whole number of minutes; the gateway's buckets are multiples of 60 s.");
                return null;
            }

            return seconds;
        },
    };

    /// <summary>A positive whole number with an optional unit (s, m, h, d; seconds without one), up to <see cref="MaximumSeconds"/>.</summary>
    public static bool TryParseSeconds(string? text, out int seconds)
    {
        seconds = 0;
        var trimmed = text?.Trim().ToLowerInvariant() ?? "";
        if (trimmed.Length == 0)
        {
            return false;
        }

        var unit = trimmed[^1] switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => 0,
        };
        var number = unit == 0 ? trimmed : trimmed[..^1];
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return false;
        }

        var total = count * Math.Max(unit, 1);
        if (total > MaximumSeconds)
        {
            return false;
        }

        seconds = (int)total;
        return true;
    }

    /// <summary>Seconds the way <c>--step</c> takes them: 60 → "1m", 5400 → "90m", 7200 → "2h", 86400 → "1d", 90 → "90s".</summary>
    public static string Format(long seconds) => seconds switch
    {
        > 0 when seconds % 86_400 == 0 => $"{(seconds / 86_400).ToString(CultureInfo.InvariantCulture)}d",
        > 0 when seconds % 3_600 == 0 => $"{(seconds / 3_600).ToString(CultureInfo.InvariantCulture)}h",
        > 0 when seconds % 60 == 0 => $"{(seconds / 60).ToString(CultureInfo.InvariantCulture)}m",
        _ => $"{seconds.ToString(CultureInfo.InvariantCulture)}s",
    };
}
