using System.Globalization;
using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// What an assertion's JSON Schema refers to, checked before JsonSchema.Net builds it: its evaluation follows every
/// <c>$ref</c> with no guard, so a schema that refers back to itself without moving into the answer
/// (<c>{"allOf":[{"$ref":"#"}]}</c>) overflows the stack and ends the process, and one whose references fan out (forty
/// <c>$defs</c> each referring twice to the next) asks 2^40 evaluations of any answer. Recursion that moves into the
/// answer (<c>{"properties":{"child":{"$ref":"#"}}}</c>, a tree) ends with the answer, and is allowed. Only references
/// inside the schema are followed (<c>#</c>, <c>#/json/pointer</c>, <c>#anchor</c>), resolved against its root: an
/// <c>$id</c> below the root, which would change that, is refused.
/// </summary>
internal static class SchemaReferences
{
    /// <summary>The most schema nodes a check visits, every reference followed once per path.</summary>
    public const int MaxExpandedNodes = 10_000;

    private const int MaxDepth = 128;

    // Keywords whose schemas apply to the same instance, and those whose schemas apply to a part of it.
    private static readonly HashSet<string> InPlace = ["allOf", "anyOf", "oneOf", "not", "if", "then", "else"];
    private static readonly HashSet<string> InPlaceMaps = ["dependentSchemas", "dependencies"];
    private static readonly HashSet<string> Descending = ["items", "prefixItems", "additionalItems", "contains", "additionalProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties"];
    private static readonly HashSet<string> DescendingMaps = ["properties", "patternProperties"];
    private static readonly HashSet<string> Definitions = ["$defs", "definitions"];

    /// <summary>Why the schema cannot be evaluated safely, or null.</summary>
    public static string? Problem(JsonElement schema) => new Walk(schema).Visit(schema, 0, root: true);

    private sealed class Walk(JsonElement root)
    {
        // The references being followed on this path, each with the descent it was entered at: met again at the same
        // descent, the schema refers back to itself on the same part of the answer.
        private readonly List<(string Target, int Descent)> _following = [];
        private Dictionary<string, JsonElement>? _anchors;
        private int _descent;
        private int _budget = MaxExpandedNodes;

        public string? Visit(JsonElement node, int depth, bool root = false)
        {
            if (--_budget < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"it expands to more than {MaxExpandedNodes:N0} nodes through its $ref references");
            }

            if (depth > MaxDepth)
            {
                return $"its $ref references nest more than {MaxDepth} deep";
            }

            if (node.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in node.EnumerateObject())
            {
                var name = property.Name;
                var value = property.Value;
                var problem = name switch
                {
                    "$dynamicRef" or "$recursiveRef" => $"'{name}' is not supported (its target is chosen while evaluating)",
                    "$id" when !root => "'$id' below the schema's root is not supported (references inside it would resolve against it)",
                    "$ref" when value.ValueKind == JsonValueKind.String => Follow(value.GetString()!, depth),
                    _ when InPlace.Contains(name) => Schemas(value, depth, descends: false),
                    _ when InPlaceMaps.Contains(name) => MapValues(value, depth, descends: false),
                    _ when Descending.Contains(name) => Schemas(value, depth, descends: true),
                    _ when DescendingMaps.Contains(name) || Definitions.Contains(name) => MapValues(value, depth, descends: true),
                    // Anything else is data (const, enum, examples, default) or an annotation: not a schema.
                    _ => null,
                };
                if (problem is not null)
                {
                    return problem;
                }
            }

            return null;
        }

        /// <summary>A schema, or an array of them.</summary>
        private string? Schemas(JsonElement value, int depth, bool descends)
        {
            _descent += descends ? 1 : 0;
            try
            {
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return Visit(value, depth + 1);
                }

                foreach (var item in value.EnumerateArray())
                {
                    if (Visit(item, depth + 1) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            }
            finally
            {
                _descent -= descends ? 1 : 0;
            }
        }

        /// <summary>An object of schemas by name (a property's, a definition's): the names are not keywords.</summary>
        private string? MapValues(JsonElement value, int depth, bool descends)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in value.EnumerateObject())
            {
                if (Schemas(property.Value, depth, descends) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        private string? Follow(string target, int depth)
        {
            if (Resolve(target) is not { } resolved)
            {
                return $"'$ref': \"{Shorten(target)}\" is not a reference inside the schema (#, #/pointer or #anchor)";
            }

            var earlier = _following.FindLastIndex(f => f.Target == target);
            if (earlier >= 0)
            {
                // Met again after moving into a part of the answer: recursion the answer's own depth ends. Met again on
                // the same part: it would not end.
                return _following[earlier].Descent == _descent
                    ? $"'$ref': \"{Shorten(target)}\" refers back to itself without moving into the answer (its evaluation would not end)"
                    : null;
            }

            _following.Add((target, _descent));
            // The root reached again ("#", or an anchor on it) is the root: its own $id stands.
            var problem = Visit(resolved, depth + 1, root: target == "#" || IsRootAnchor(target));
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
            if (!fragment.StartsWith('/'))
            {
                _anchors ??= IndexAnchors();
                return _anchors.TryGetValue(fragment, out var anchored) ? anchored : null;
            }

            // JSON Pointer (RFC 6901, ~0 and ~1 escapes) as JsonSchema.Net itself resolves it.
            return Json.Pointer.JsonPointer.TryParse(fragment, out var pointer) ? pointer!.Evaluate(root) : null;
        }

        private bool IsRootAnchor(string target) =>
            target.Length > 1 && target[1] != '/' && root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String
            && anchor.GetString() == Uri.UnescapeDataString(target[1..]);

        /// <summary>Every <c>$anchor</c> of the document, found once (the document is at most 64 deep: the parser's limit).</summary>
        private Dictionary<string, JsonElement> IndexAnchors()
        {
            var anchors = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var pending = new Stack<JsonElement>();
            pending.Push(root);
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (node.ValueKind == JsonValueKind.Object)
                {
                    if (node.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
                    {
                        anchors.TryAdd(anchor.GetString()!, node);
                    }

                    foreach (var property in node.EnumerateObject())
                    {
                        pending.Push(property.Value);
                    }
                }
                else if (node.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in node.EnumerateArray())
                    {
                        pending.Push(item);
                    }
                }
            }

            return anchors;
        }

        private static string Shorten(string text) => TextCut.Truncate(text, 80);
    }
}
