using System.Text.Json;
using Json.Pointer;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>json-field</c>: a field of the output's JSON (the whole output, or else its first embedded document) exists
/// and optionally equals or contains something. Value: <c>{"path": "$.a.b[0]" | "/a/b/0", "equals": any}</c> or
/// <c>{"path": …, "contains": any}</c>; with neither, the field only has to exist.
/// </summary>
internal sealed class JsonFieldScorer : IScorer
{
    public string Name => "json-field";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(assertion.Value, input.Output));

    private static ScoreResult Score(JsonElement? value, string output)
    {
        if (value is not { ValueKind: JsonValueKind.Object } spec
            || !spec.TryGetProperty("path", out var pathElement)
            || pathElement.ValueKind != JsonValueKind.String)
        {
            return ScoreResult.Errored("json-field needs a value {\"path\": \"$.a.b\" or \"/a/b\", \"equals\" or \"contains\": …}");
        }

        var hasEquals = spec.TryGetProperty("equals", out var expected);
        var hasContains = spec.TryGetProperty("contains", out var needle);
        if (hasEquals && hasContains)
        {
            return ScoreResult.Errored("json-field takes either 'equals' or 'contains', not both");
        }

        var unknown = spec.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n is not ("path" or "equals" or "contains"));
        if (unknown is not null)
        {
            return ScoreResult.Errored($"json-field does not understand '{unknown}' (expected path, equals, contains)");
        }

        var path = pathElement.GetString()!;
        if (!TryParsePath(path, out var pointer, out var pathError))
        {
            return ScoreResult.Errored(pathError);
        }

        if (!EmbeddedJson.TryParseWholeOrFirst(output, out var json))
        {
            return ScoreResult.Failed("output contains no JSON");
        }

        if (pointer.Evaluate(json) is not { } field)
        {
            return ScoreResult.Failed($"output JSON has no field at {path}");
        }

        if (hasEquals)
        {
            return JsonElement.DeepEquals(field, expected)
                ? ScoreResult.Passed($"{path} equals {AssertionValue.Describe(expected)}")
                : ScoreResult.Failed($"{path} is {AssertionValue.Describe(field)}, expected {AssertionValue.Describe(expected)}");
        }

        if (hasContains)
        {
            return Contains(field, needle)
                ? ScoreResult.Passed($"{path} contains {AssertionValue.Describe(needle)}")
                : ScoreResult.Failed($"{path} is {AssertionValue.Describe(field)}, which does not contain {AssertionValue.Describe(needle)}");
        }

        return ScoreResult.Passed($"{path} exists ({AssertionValue.Describe(field)})");
    }

    private static bool TryParsePath(string path, out JsonPointer pointer, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        pointer = default!;
        var pointerText = path;
        if (path.StartsWith('$') && !JsonPathSubset.TryToPointer(path, out pointerText, out error))
        {
            return false;
        }

        if (pointerText.Length > 0 && pointerText[0] != '/')
        {
            error = $"json-field path '{path}' must be a JSONPath ($.a.b) or a JSON Pointer (/a/b)";
            return false;
        }

        if (!JsonPointer.TryParse(pointerText, out var parsed))
        {
            error = $"json-field path '{path}' is not a valid JSON Pointer";
            return false;
        }

        pointer = parsed;
        error = null;
        return true;
    }

    // A string field contains a substring; an array field contains an equal element.
    private static bool Contains(JsonElement field, JsonElement needle) => field.ValueKind switch
    {
        JsonValueKind.String => needle.ValueKind == JsonValueKind.String
            && field.GetString()!.Contains(needle.GetString()!, StringComparison.Ordinal),
        JsonValueKind.Array => field.EnumerateArray().Any(item => JsonElement.DeepEquals(item, needle)),
        _ => false,
    };
}
