using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Translates the simple JSONPath subset promptfoo datasets use — <c>$</c>, <c>.name</c>, <c>['name']</c>,
/// <c>["name"]</c>, <c>[0]</c> — into a JSON Pointer, so one evaluator (JsonPointer.Net) serves both syntaxes.
/// Wildcards, recursive descent and filters are rejected rather than approximated.
/// </summary>
internal static class JsonPathSubset
{
    public static bool TryToPointer(string path, [NotNullWhen(true)] out string? pointer, [NotNullWhen(false)] out string? error)
    {
        pointer = null;
        if (!path.StartsWith('$'))
        {
            error = $"JSONPath '{path}' must start with '$'";
            return false;
        }

        var builder = new StringBuilder();
        var i = 1;
        while (i < path.Length)
        {
            string segment;
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                {
                    end++;
                }

                segment = path[(i + 1)..end];
                if (segment.Length == 0 || segment == "*")
                {
                    error = $"JSONPath '{path}': unsupported or empty segment at offset {i} (only $.a.b[0] and ['a'] are supported)";
                    return false;
                }

                i = end;
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"JSONPath '{path}': unclosed '[' at offset {i}";
                    return false;
                }

                var inner = path[(i + 1)..close];
                if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    segment = inner[1..^1];
                }
                else if (inner.Length > 0 && inner.All(char.IsAsciiDigit))
                {
                    segment = inner;
                }
                else
                {
                    error = $"JSONPath '{path}': unsupported index '[{inner}]' (only [0] and ['name'] are supported)";
                    return false;
                }

                i = close + 1;
            }
            else
            {
                error = $"JSONPath '{path}': unexpected '{path[i]}' at offset {i}";
                return false;
            }

            builder.Append('/').Append(segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }

        pointer = builder.ToString();
        error = null;
        return true;
    }
}
