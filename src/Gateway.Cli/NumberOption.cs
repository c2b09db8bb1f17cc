using System.CommandLine;
using System.Globalization;
using System.Numerics;

namespace LlmGateway.Cli;

/// <summary>
/// Numeric options parsed with the invariant culture and an error that names the option, instead of
/// the default "as expected type 'System.Nullable`1[System.Decimal]'".
/// </summary>
internal static class NumberOption
{
    public static Option<T?> Create<T>(string name, string description, string helpName, string expected)
        where T : struct, INumberBase<T> => new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                // No thousands separators: "2,5" must be an error, not 25. Non-finite values (NaN, ∞) are no one's setting.
                if (T.TryParse(text, Styles<T>(), CultureInfo.InvariantCulture, out var value) && T.IsFinite(value))
                {
                    return value;
                }

                result.AddError($"{name} '{text}' is not {expected}.");
                return null;
            },
        };

    /// <summary>
    /// A decimal point for the types that hold a fraction: with <see cref="NumberStyles.Integer"/> alone a double
    /// option refused "0.05" (<c>--max-error-rate</c>).
    /// </summary>
    private static NumberStyles Styles<T>() =>
        typeof(T) == typeof(decimal) || typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half)
            ? NumberStyles.Integer | NumberStyles.AllowDecimalPoint
            : NumberStyles.Integer;
}
