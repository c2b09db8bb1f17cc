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
                // No thousands separators: "2,5" must be an error, not 25.
                var styles = typeof(T) == typeof(decimal) ? NumberStyles.Integer | NumberStyles.AllowDecimalPoint : NumberStyles.Integer;
                if (T.TryParse(text, styles, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }

                result.AddError($"{name} '{text}' is not {expected}.");
                return null;
            },
        };
}
