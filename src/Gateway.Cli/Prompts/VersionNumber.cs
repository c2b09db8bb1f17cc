using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace LlmGateway.Cli.Prompts;

/// <summary>
/// A bundle version as typed on the command line: <c>3</c>, or <c>v3</c> as gatewayctl prints it, so
/// a version can be copied straight from a table.
/// </summary>
internal static class VersionNumber
{
    public static bool TryParse(string? text, out int version)
    {
        version = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var digits = text.Trim();
        if (digits.StartsWith('v') || digits.StartsWith('V'))
        {
            digits = digits[1..];
        }

        return digits.All(char.IsAsciiDigit)
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version >= 1;
    }

    public static string ErrorMessage(string what, string text) =>
        $"{what} '{text}' is not a version: use a number from 1 up, like 3 or v3.";

    /// <summary>A required version argument (<c>&lt;version&gt;</c>) that accepts 3 or v3.</summary>
    public static Argument<int> Argument(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => Parse(result, $"<{name}>"),
    };

    /// <summary>A version option (<c>--version</c>) that accepts 3 or v3.</summary>
    public static Option<int> Option(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "version",
        Required = true,
        CustomParser = result => Parse(result, name),
    };

    /// <summary>A version filter (<c>--version</c>) that may be left out; accepts 3 or v3.</summary>
    public static Option<int?> OptionalOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "version",
        CustomParser = result => Parse(result, name),
    };

    private static int Parse(ArgumentResult result, string what)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var version))
        {
            return version;
        }

        result.AddError(ErrorMessage(what, text));
        return 0;
    }
}
