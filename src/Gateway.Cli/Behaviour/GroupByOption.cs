using System.CommandLine;

namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// <c>--by</c>: what the behaviour series are split by, a comma list of <c>version</c> and <c>variant</c> (repeats
/// dropped, in that order), or <c>none</c> (or an empty value) for all arms together, which is sent as <c>groupBy=</c>.
/// </summary>
internal static class GroupByOption
{
    public const string None = "none";

    private static readonly string[] Dimensions = ["version", "variant"];

    public static Option<string?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "version,variant|none",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (TryParse(text, out var groupBy))
            {
                return groupBy;
            }

            result.AddError($"{name} '{text}' is not a list of version and variant; use version, variant, version,variant or {None}.");
            return null;
        },
    };

    /// <summary>The canonical list ("version,variant", "variant", "" for none), or false for anything else.</summary>
    public static bool TryParse(string? text, out string groupBy)
    {
        groupBy = "";
        var items = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => item.ToLowerInvariant())
            .ToArray();
        if (items is [] or [None])
        {
            return true;
        }

        if (items.Any(item => !Dimensions.Contains(item, StringComparer.Ordinal)))
        {
            return false;
        }

        groupBy = string.Join(',', Dimensions.Where(items.Contains));
        return true;
    }
}
