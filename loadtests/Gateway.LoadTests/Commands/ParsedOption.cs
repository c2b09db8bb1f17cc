using System.CommandLine;
using System.CommandLine.Parsing;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// Options whose value goes through one of the tool's own parsers (target URL, header, scenario...): a
/// <see cref="UsageException"/> from the parser becomes a parse error with its message, so the user sees the same
/// "what to type instead" text whichever way the value was given.
/// </summary>
internal static class ParsedOption
{
    public static Option<T> Create<T>(string name, string description, string helpName, Func<string, T> parse, T fallback) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => fallback,
        CustomParser = result => result.Tokens.Count == 0 ? fallback : TryParse(result, result.Tokens[0].Value, parse) ?? fallback,
    };

    /// <summary>A repeatable option (<c>--header a:1 --header b:2</c>), each occurrence parsed on its own.</summary>
    public static Option<T[]> Repeated<T>(string name, string description, string helpName, Func<string, T> parse) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => [],
        CustomParser = result => [.. result.Tokens.Select(token => TryParse(result, token.Value, parse)).OfType<T>()],
    };

    /// <summary>A string that must not be blank (keys, model and prompt names).</summary>
    public static Option<string> NonEmpty(string name, string description, string helpName, string fallback) =>
        Create(name, description, helpName, value => string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} must not be empty.") : value, fallback);

    private static T? TryParse<T>(ArgumentResult result, string value, Func<string, T> parse)
    {
        try
        {
            return parse(value);
        }
        catch (UsageException exception)
        {
            result.AddError(exception.Message);
            return default;
        }
    }
}
