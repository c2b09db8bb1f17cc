using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Turns promptfoo tests (defaults already applied) into the cases of a dataset. A case's id is the test's
/// <c>description</c> when no other test shares it, else <c>test-&lt;n&gt;</c> (n counts tests from 1), so ids stay
/// stable and readable; the description is also kept as the case's <c>description</c> metadata.
/// </summary>
internal static class PromptfooCaseBuilder
{
    /// <exception cref="DatasetFormatException">A test cannot be mapped, two ids collide, or there are no tests.</exception>
    public static EvalDataset Build(DatasetId id, string file, IReadOnlyList<PromptfooTest> tests)
    {
        if (tests.Count == 0)
        {
            throw new DatasetFormatException(file, 0, "the file has no tests");
        }

        var descriptions = tests
            .Select(t => t.Description)
            .OfType<string>()
            .GroupBy(d => d, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var cases = new List<EvalCase>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tests.Count; i++)
        {
            var test = tests[i];
            var n = i + 1;
            var caseId = test.Description is { } d && descriptions[d] == 1 ? d : $"test-{n}";
            var evalCase = BuildCase(test, caseId, Label(test, n), file);
            if (!seen.TryAdd(caseId, test.Line))
            {
                throw new DatasetFormatException(file, test.Line, $"{Label(test, n)}: its id '{caseId}' is also the id of the test on line {seen[caseId]}; change one description");
            }

            cases.Add(evalCase);
        }

        return new EvalDataset(id, null, cases);
    }

    private static EvalCase BuildCase(PromptfooTest test, string caseId, string label, string file)
    {
        DatasetFormatException Error(string problem) => new(file, test.Line, $"{label}: {problem}");

        var vars = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in test.Vars)
        {
            if (value is JsonArray && test.DisableVarExpansion != true)
            {
                throw Error($"var '{name}' is a list: promptfoo runs the test once per value, which this reader does not; write one test per value, or set options.disableVarExpansion: true to send the list as it is");
            }

            if (value is JsonValue text && text.TryGetValue<string>(out var s) && s.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                throw Error($"var '{name}' loads a file ('{s}'), which this reader does not follow; put the content in the var");
            }

            vars[name] = ToElement(value);
        }

        IReadOnlyList<AssertionSpec> assertions;
        try
        {
            assertions = PromptfooAssertions.ForTest(test.Assertions, test.Threshold);
        }
        catch (JsonException ex)
        {
            throw Error(ex.Message);
        }

        var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in test.Metadata)
        {
            metadata[key] = ToElement(value);
        }

        if (test.Description is { } description)
        {
            metadata.TryAdd("description", ToElement(description));
        }

        return new EvalCase
        {
            Id = caseId,
            Vars = vars.ToFrozenDictionary(StringComparer.Ordinal),
            Assertions = assertions,
            Metadata = metadata.ToFrozenDictionary(StringComparer.Ordinal),
            Line = test.Line,
        };
    }

    private static string Label(PromptfooTest test, int n) =>
        test.Description is { } d ? $"test {n} ('{d}')" : $"test {n}";

    private static JsonElement ToElement(JsonNode? node)
    {
        using var document = JsonDocument.Parse(node?.ToJsonString() ?? "null");
        return document.RootElement.Clone();
    }
}
