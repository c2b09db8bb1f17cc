using System.Text.RegularExpressions;

namespace LlmGateway.Prompts;

internal static partial class PromptNames
{
    /// <summary>Anchored with <c>\z</c>: <c>$</c> would also match before a trailing newline.</summary>
    public const string Pattern = @"^[a-z0-9][a-z0-9._-]{0,63}\z";

    public static bool IsValid(string? name) => name is not null && NameRegex().IsMatch(name);

    [GeneratedRegex(Pattern)]
    private static partial Regex NameRegex();
}
