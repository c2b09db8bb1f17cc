using System.Globalization;

namespace LlmGateway.Prompts;

/// <summary>
/// A look at a Liquid template's text before Fluid parses it, for the nesting its parser recurses through: brackets
/// (parentheses of groups and ranges, indexers) and blocks (if, for, case, capture…). A stack overflow ends the process,
/// not the request, and a few hundred kilobytes of <c>{% if a %}</c> or <c>(</c> did. Deliberately blind to quotes and
/// comments (it counts a bracket in a string, or a tag in a comment, too): a lexer that tried to follow Fluid's could be
/// led astray by one (a quote in an inline comment, an escaped quote) into not counting what Fluid then parses. The
/// limits are far past what a prompt nests, in a string or out. What the parsed tree nests (filters, operators) is
/// measured on the tree itself (<see cref="TemplateDepthMeter"/>).
/// </summary>
internal static class TemplateNesting
{
    public const int MaxDepth = 64;

    private static readonly string[] Blocks = ["if", "unless", "for", "case", "capture", "tablerow", "ifchanged", "raw", "comment"];

    /// <summary>Why the template nests too deep, or null. One pass over the text.</summary>
    public static string? Problem(string template)
    {
        int brackets = 0, blocks = 0;
        for (var i = 0; i < template.Length; i++)
        {
            switch (template[i])
            {
                case '(' or '[':
                    if (++brackets > MaxDepth)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"Nests parentheses or brackets more than {MaxDepth} deep.");
                    }

                    break;
                case ')' or ']':
                    brackets = Math.Max(0, brackets - 1);
                    break;
                case '{' when i + 1 < template.Length && template[i + 1] == '%':
                    var tag = TagName(template.AsSpan(i + 2));
                    if (Blocks.AsSpan().Contains(tag.ToString()))
                    {
                        if (++blocks > MaxDepth)
                        {
                            return string.Create(CultureInfo.InvariantCulture, $"Nests blocks (if, unless, for, case, capture, tablerow) more than {MaxDepth} deep.");
                        }
                    }
                    else if (tag.StartsWith("end", StringComparison.Ordinal))
                    {
                        blocks = Math.Max(0, blocks - 1);
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>The name a tag's text starts with, after its whitespace-control dash and spaces (at most 32 characters read).</summary>
    private static ReadOnlySpan<char> TagName(ReadOnlySpan<char> text)
    {
        text = text[..Math.Min(text.Length, 48)].TrimStart('-').TrimStart();
        var length = 0;
        while (length < text.Length && length < 32 && (char.IsAsciiLetterOrDigit(text[length]) || text[length] == '_'))
        {
            length++;
        }

        return text[..length];
    }
}
