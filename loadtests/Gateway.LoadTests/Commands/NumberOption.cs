using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// Numeric options parsed with the invariant culture and checked against their range, with an error that names the
/// flag and what it accepts ("--rate must be a number from 0.1 to 100000, got 'fast'") instead of the parser's
/// generic type message. Errors become exit code 2 like every other parse error.
/// </summary>
internal static class NumberOption
{
    /// <summary>An option with a default (help shows it): absent means <paramref name="fallback"/>.</summary>
    public static Option<T> Create<T>(string name, string description, T fallback, T min, T max, bool minExclusive = false)
        where T : struct, INumber<T> => new(name)
        {
            Description = description,
            HelpName = HelpNameOf<T>(),
            DefaultValueFactory = _ => fallback,
            CustomParser = result => Parse(result, name, min, max, minExclusive) ?? fallback,
        };

    /// <summary>An option whose absence matters (e.g. <c>--rate</c> picks the open model): null when not given.</summary>
    public static Option<T?> Optional<T>(string name, string description, T min, T max, bool minExclusive = false)
        where T : struct, INumber<T> => new(name)
        {
            Description = description,
            HelpName = HelpNameOf<T>(),
            CustomParser = result => Parse(result, name, min, max, minExclusive),
        };

    private static T? Parse<T>(ArgumentResult result, string name, T min, T max, bool minExclusive)
        where T : struct, INumber<T>
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        var styles = typeof(T) == typeof(double) ? NumberStyles.Float : NumberStyles.Integer;
        var inRange = T.TryParse(text, styles, CultureInfo.InvariantCulture, out var value)
            && (minExclusive ? value > min : value >= min)
            && value <= max;
        if (inRange)
        {
            return value;
        }

        var kind = typeof(T) == typeof(double) ? "a number" : "a whole number";
        var lower = minExclusive ? $"above {min.ToString(null, CultureInfo.InvariantCulture)} and at most" : $"from {min.ToString(null, CultureInfo.InvariantCulture)} to";
        result.AddError($"{name} must be {kind} {lower} {max.ToString(null, CultureInfo.InvariantCulture)}, got '{text}'.");
        return null;
    }

    private static string HelpNameOf<T>() => typeof(T) == typeof(double) ? "number" : "N";
}
