using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// What an assertion's JSON Schema refers to, checked before JsonSchema.Net builds it: its evaluation recurses through
/// every <c>$ref</c> with no guard, so a schema that refers to itself (<c>{"allOf":[{"$ref":"#"}]}</c>) overflows the
/// stack and ends the process, and one whose references fan out (forty <c>$defs</c> each referring twice to the next)
/// asks 2^40 evaluations of any answer. Only references inside the schema (<c>#</c>, <c>#/json/pointer</c>,
/// <c>#anchor</c>) are followed; a schema expanded through them must be finite and small.
/// </summary>
internal static class SchemaReferences
{
    /// <summary>The most nodes a schema may expand to, every reference followed.</summary>
    public const int MaxExpandedNodes = 10_000;

    private const int MaxDepth = 128;

    /// <summary>Why the schema cannot be evaluated safely, or null.</summary>
    public static string? Problem(JsonElement schema)
    {
        var walk = new Walk(schema);
        return walk.Visit(schema, 0);
    }

    private sealed class Walk(JsonElement root)
    {
        private readonly List<string> _following = [];
        private int _budget = MaxExpandedNodes;

        public string? Visit(JsonElement node, int depth)
        {
            if (--_budget < 0)
            {
                return $"it expands to more than {MaxExpandedNodes:N0} nodes through its $ref references";
            }

            if (depth > MaxDepth)
            {
                return $"its $ref references nest more than {MaxDepth} deep";
            }

            if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    if (Visit(item, depth + 1) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            }

            if (node.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in node.EnumerateObject())
            {
                var problem = property.Name switch
                {
                    "$dynamicRef" or "$recursiveRef" => $"'{property.Name}' is not supported (its target is chosen while evaluating)",
                    "$ref" => Follow(property.Value, depth),
                    _ => Visit(property.Value, depth + 1),
                };
                if (problem is not null)
                {
                    return problem;
                }
            }

            return null;
        }

        private string? Follow(JsonElement reference, int depth)
        {
            if (reference.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var target = reference.GetString()!;
            if (Resolve(target) is not { } resolved)
            {
                return $"'$ref': \"{Shorten(target)}\" is not a reference inside the schema (#, #/pointer or #anchor)";
            }

            if (_following.Contains(target))
            {
                return $"'$ref': \"{Shorten(target)}\" refers back to itself (a recursive schema is not supported: its evaluation would not end)";
            }

            _following.Add(target);
            var problem = Visit(resolved, depth + 1);
            _following.RemoveAt(_following.Count - 1);
            return problem;
        }

        private JsonElement? Resolve(string reference)
        {
            if (reference == "#")
            {
                return root;
            }

            if (!reference.StartsWith('#'))
            {
                return null;
            }

            var fragment = Uri.UnescapeDataString(reference[1..]);
            return fragment.StartsWith('/') ? Pointer(fragment) : Anchor(root, fragment, 0);
        }

        private JsonElement? Pointer(string pointer)
        {
            var node = root;
            foreach (var raw in pointer[1..].Split('/'))
            {
                var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(token, out var child))
                {
                    node = child;
                }
                else if (node.ValueKind == JsonValueKind.Array && int.TryParse(token, out var index) && index >= 0 && index < node.GetArrayLength())
                {
                    node = node[index];
                }
                else
                {
                    return null;
                }
            }

            return node;
        }

        private static JsonElement? Anchor(JsonElement node, string name, int depth)
        {
            // The document is at most 64 deep (the parser's limit): a walk of its own structure, no references followed.
            if (depth > 64)
            {
                return null;
            }

            if (node.ValueKind == JsonValueKind.Object)
            {
                if (node.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String && anchor.GetString() == name)
                {
                    return node;
                }

                foreach (var property in node.EnumerateObject())
                {
                    if (Anchor(property.Value, name, depth + 1) is { } found)
                    {
                        return found;
                    }
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    if (Anchor(item, name, depth + 1) is { } found)
                    {
                        return found;
                    }
                }
            }

            return null;
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
    }
}
