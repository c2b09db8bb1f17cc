using System.Globalization;

namespace LlmGateway.Cli.Releases;

/// <summary>
/// A sampling rate as typed: a fraction from 0 to 1 (<c>0.05</c>), as the API takes it, or a percentage
/// (<c>5%</c>) as people say it.
/// </summary>
internal static class SamplingRate
{
    public const string Examples = "a fraction from 0 to 1 (0.05) or a percentage (5%)";

    public static bool TryParse(string option, string? text, out decimal rate, out string error)
    {
        rate = 0m;
        error = "";
        var value = text?.Trim() ?? "";
        var isPercent = value.EndsWith('%');
        var number = isPercent ? value[..^1].TrimEnd() : value;
        // No thousands separators and no exponent: "0,5" must be an error, not 5.
        if (!decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
        {
            error = $"{option} '{text}' is not a rate: use {Examples}.";
            return false;
        }

        if (isPercent)
        {
            if (parsed is < 0m or > 100m)
            {
                error = $"{option} {value} is out of range: 0% to 100%.";
                return false;
            }

            rate = parsed / 100m;
            return true;
        }

        if (parsed is < 0m or > 1m)
        {
            // "--canary 50" almost certainly meant 50 %; say how to write it rather than guess.
            var hint = parsed is > 1m and <= 100m ? $"; for a percentage write {number}%" : "";
            error = $"{option} {value} is out of range: a rate runs from 0 to 1 (0.05 = 5%){hint}.";
            return false;
        }

        rate = parsed;
        return true;
    }
}
