using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// promptfoo's one-cell assertion syntax, used in a CSV file's <c>__expected</c> columns:
/// <c>[not-]type[(threshold)][: value]</c>, e.g. <c>contains: refund</c>, <c>not-icontains: sorry</c>,
/// <c>similar(0.9): Your order ships Monday</c>, <c>is-json</c>. Anything that does not start with a known type is
/// an <c>equals</c> of the whole cell (<c>Paris</c>, <c>Answer: 42</c>). <c>grade:</c> and <c>llm-rubric:</c> are
/// <c>llm-rubric</c>; <c>javascript:</c>, <c>fn:</c>, <c>eval:</c>, <c>python:</c> and <c>file://</c> are code.
/// </summary>
/// <remarks>
/// The value is trimmed, so <c>contains: refund</c> looks for <c>refund</c> rather than <c> refund</c>. The
/// <c>-any</c>/<c>-all</c> types split it on commas. A threshold is set only when written in parentheses.
/// </remarks>
internal static class PromptfooAssertionShorthand
{
    private static readonly string[] CodePrefixes = ["javascript:", "fn:", "eval:", "python:", "file://"];

    private static readonly Regex Typed = new(
        $@"^(?<not>not-)?(?<type>{string.Join('|', PromptfooAssertions.Known.OrderByDescending(t => t.Length).Select(Regex.Escape))})(?:\((?<threshold>\d+(?:\.\d+)?)\))?(?::(?<value>.*))?$",
        RegexOptions.Singleline | RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    /// <summary>Parses one non-blank cell.</summary>
    /// <returns>The assertion, or null with <paramref name="problem"/> saying why the cell cannot be used.</returns>
    public static JsonObject? Parse(string cell, out string? problem)
    {
        problem = null;
        var text = cell.Trim();
        if (CodePrefixes.FirstOrDefault(p => text.StartsWith(p, StringComparison.Ordinal)) is { } code)
        {
            var type = code == "python:" || text.EndsWith(".py", StringComparison.Ordinal) || text.Contains(".py:", StringComparison.Ordinal) ? "python" : "javascript";
            problem = PromptfooAssertions.UnsupportedType(type);
            return null;
        }

        foreach (var rubric in (string[])["grade:", "llm-rubric:"])
        {
            if (text.StartsWith(rubric, StringComparison.Ordinal))
            {
                return Assertion("llm-rubric", text[rubric.Length..].Trim(), threshold: null);
            }
        }

        var match = Typed.Match(text);
        if (!match.Success)
        {
            // promptfoo compares the cell as written.
            return new JsonObject { ["type"] = "equals", ["value"] = cell };
        }

        var fullType = match.Groups["not"].Value + match.Groups["type"].Value;
        if (PromptfooAssertions.UnsupportedType(fullType) is { } unsupported)
        {
            problem = unsupported;
            return null;
        }

        var threshold = match.Groups["threshold"].Success
            ? double.Parse(match.Groups["threshold"].Value, NumberStyles.Float, CultureInfo.InvariantCulture)
            : (double?)null;
        return Assertion(fullType, match.Groups["value"].Value.Trim(), threshold);
    }

    private static JsonObject Assertion(string type, string value, double? threshold)
    {
        var assertion = new JsonObject { ["type"] = type };
        var baseType = type.StartsWith("not-", StringComparison.Ordinal) ? type[4..] : type;
        if (value.Length > 0)
        {
            assertion["value"] = baseType is "contains-any" or "contains-all" or "icontains-any" or "icontains-all"
                ? new JsonArray([.. value.Split(',').Select(v => (JsonNode)v.Trim())])
                : value;
        }

        if (threshold is { } t)
        {
            assertion["threshold"] = t;
        }

        return assertion;
    }
}
