using System.Globalization;

namespace LlmGateway.Prompts;

/// <summary>
/// A look at a Liquid template's text before Fluid parses it, for nesting that would overflow the stack: Fluid's parser,
/// its expressions (a filter wraps the expression before it, an operator its operands) and every walk of the tree
/// recurse, and a stack overflow ends the process, not the request. A few hundred kilobytes of
/// <c>{% if a %}</c>, of <c>| upcase</c> or of parentheses did. The limits are far past what a prompt writes.
/// </summary>
internal static class TemplateNesting
{
    public const int MaxBlockDepth = 64;
    public const int MaxBracketDepth = 32;
    public const int MaxChain = 64;

    private static readonly string[] Blocks = ["if", "unless", "for", "case", "capture", "tablerow", "ifchanged"];

    /// <summary>Why the template nests too deep, or null.</summary>
    public static string? Problem(string template)
    {
        var depth = 0;
        var i = 0;
        while (i < template.Length - 1)
        {
            var open = template.IndexOf('{', i);
            if (open < 0 || open == template.Length - 1)
            {
                break;
            }

            var kind = template[open + 1];
            if (kind is not ('{' or '%'))
            {
                i = open + 1;
                continue;
            }

            var end = TagEnd(template, open + 2, kind == '{' ? '}' : '%');
            var body = template.AsSpan(open + 2, end - open - 2).Trim('-').Trim();
            i = Math.Min(template.Length, end + 2);
            if (kind == '{')
            {
                if (ExpressionProblem(body) is { } expression)
                {
                    return expression;
                }

                continue;
            }

            var word = FirstWord(body);
            if (word is "raw" or "comment")
            {
                // Their content is text, not tags: on to the tag that ends them.
                i = EndOf(template, i, "end" + word.ToString());
                if (i < 0)
                {
                    return $"Opens a {word} block it never closes.";
                }

                continue;
            }

            // A liquid tag holds one tag per line, without delimiters.
            var lines = word is "liquid" ? body[word.Length..].ToString().Split('\n') : [body.ToString()];
            foreach (var line in lines)
            {
                var statement = line.AsSpan().Trim();
                if (ExpressionProblem(statement) is { } expression)
                {
                    return expression;
                }

                var tag = FirstWord(statement);
                if (Blocks.AsSpan().Contains(tag.ToString()))
                {
                    if (++depth > MaxBlockDepth)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"Nests blocks (if, unless, for, case, capture, tablerow) more than {MaxBlockDepth} deep.");
                    }
                }
                else if (tag.StartsWith("end", StringComparison.Ordinal))
                {
                    depth = Math.Max(0, depth - 1);
                }
            }
        }

        return null;
    }

    /// <summary>Parentheses and brackets too deep, or too many filters and operators, in one tag or output.</summary>
    private static string? ExpressionProblem(ReadOnlySpan<char> text)
    {
        int brackets = 0, chain = 0;
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
                continue;
            }

            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '(' or '[':
                    if (++brackets > MaxBracketDepth)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"Nests parentheses or brackets more than {MaxBracketDepth} deep in one tag or output.");
                    }

                    break;
                case ')' or ']':
                    brackets = Math.Max(0, brackets - 1);
                    break;
                case '|':
                    chain++;
                    break;
                case '=' or '!' or '<' or '>' when i == 0 || text[i - 1] is not ('=' or '!' or '<' or '>'):
                    chain++;
                    break;
                default:
                    if (char.IsAsciiLetter(c) && (i == 0 || !IsWordChar(text[i - 1])))
                    {
                        var word = Word(text[i..]);
                        if (word is "and" or "or" or "contains")
                        {
                            chain++;
                        }

                        i += word.Length - 1;
                    }

                    break;
            }

            if (chain > MaxChain)
            {
                return string.Create(CultureInfo.InvariantCulture, $"Chains more than {MaxChain} filters or operators in one tag or output.");
            }
        }

        return null;
    }

    /// <summary>
    /// Where a tag or output that began before <paramref name="from"/> ends (its closing <paramref name="first"/> and
    /// <c>}</c>), past any quoted string in it, as Fluid reads one: <c>{{ "}}" | upcase }}</c> is one output.
    /// </summary>
    private static int TagEnd(string template, int from, char first)
    {
        var quote = '\0';
        for (var i = from; i < template.Length - 1; i++)
        {
            var c = template[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == first && template[i + 1] == '}')
            {
                return i;
            }
        }

        return template.Length;
    }

    /// <summary>Where the tag <paramref name="endTag"/> ends, or -1 when the template never closes the block.</summary>
    private static int EndOf(string template, int from, string endTag)
    {
        for (var i = template.IndexOf("{%", from, StringComparison.Ordinal); i >= 0; i = template.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            var close = template.IndexOf("%}", i + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            if (FirstWord(template.AsSpan(i + 2, close - i - 2).Trim('-').Trim()).SequenceEqual(endTag))
            {
                return close + 2;
            }
        }

        return -1;
    }

    private static ReadOnlySpan<char> FirstWord(ReadOnlySpan<char> text) => Word(text.TrimStart());

    private static ReadOnlySpan<char> Word(ReadOnlySpan<char> text)
    {
        var length = 0;
        while (length < text.Length && IsWordChar(text[length]))
        {
            length++;
        }

        return text[..length];
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
