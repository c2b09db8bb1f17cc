using System.Globalization;
using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Behaviour;

/// <summary>How behaviour values read: means to four significant digits, shares as percentages, signed differences.</summary>
internal static class BehaviourFormat
{
    public const string RateKind = "rate";

    private const int SignificantDigits = 4;

    /// <summary>Four significant digits, never an exponent: 1234.5 → "1235" (digits left of the point are kept), 0.000123456 → "0.0001235", 45.678 → "45.68".</summary>
    public static string Number(double? value)
    {
        if (value is not { } number)
        {
            return TextTable.Missing;
        }

        if (!double.IsFinite(number))
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        if (number == 0)
        {
            return "0";
        }

        var decimals = SignificantDigits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(number)));
        var rounded = Math.Round(number, Math.Clamp(decimals, 0, 15), MidpointRounding.AwayFromZero);
        return rounded.ToString("0.###############", CultureInfo.InvariantCulture);
    }

    /// <summary>A difference with its sign: "+0.09", "-12", "0".</summary>
    public static string Signed(double value)
    {
        var text = Number(value);
        return value > 0 && double.IsFinite(value) ? "+" + text : text;
    }

    /// <summary>A share as a percentage to a tenth: 0.05 → "5%", 0.1234 → "12.3%", null → "-".</summary>
    public static string Percent(double? fraction) =>
        fraction is { } value
            ? (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%"
            : TextTable.Missing;

    /// <summary>A mean as its metric reads: a rate (a share of samples) as a percentage, a value as a number.</summary>
    public static string Mean(double? mean, string? kind) =>
        string.Equals(kind, RateKind, StringComparison.Ordinal) ? Percent(mean) : Number(mean);

    /// <summary>Whole seconds, with hours and minutes beside them once there are any: "48s", "3720s (1h 2m)".</summary>
    public static string Seconds(double seconds)
    {
        var whole = (long)Math.Round(Math.Max(seconds, 0), MidpointRounding.AwayFromZero);
        var text = whole.ToString(CultureInfo.InvariantCulture) + "s";
        if (whole < 60)
        {
            return text;
        }

        var span = TimeSpan.FromSeconds(whole);
        var parts = new List<string>();
        if (span.Days > 0)
        {
            parts.Add(span.Days.ToString(CultureInfo.InvariantCulture) + "d");
        }

        if (span.Hours > 0)
        {
            parts.Add(span.Hours.ToString(CultureInfo.InvariantCulture) + "h");
        }

        if (span.Minutes > 0)
        {
            parts.Add(span.Minutes.ToString(CultureInfo.InvariantCulture) + "m");
        }

        if (span.Seconds > 0)
        {
            parts.Add(span.Seconds.ToString(CultureInfo.InvariantCulture) + "s");
        }

        return $"{text} ({string.Join(' ', parts)})";
    }
}
