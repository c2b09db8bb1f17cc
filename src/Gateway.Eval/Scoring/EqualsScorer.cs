using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>equals</c>: the output is exactly the value (ordinal, no trimming). When the value is a JSON object or
/// array, the output is parsed and compared as JSON, so key order and number spelling (1 vs 1.0) do not matter.
/// Without a value, the case's expected output is used.
/// </summary>
internal sealed class EqualsScorer : IScorer
{
    public string Name => "equals";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(assertion.Value, input));

    private static ScoreResult Score(JsonElement? value, ScoringInput input)
    {
        if (value is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } expectedJson)
        {
            if (!EmbeddedJson.TryParseWhole(input.Output, out var actual, out var parseError))
            {
                return ScoreResult.Failed($"output is not JSON ({parseError}), expected {AssertionValue.Describe(expectedJson)}");
            }

            return JsonElement.DeepEquals(actual, expectedJson)
                ? ScoreResult.Passed("output equals the expected JSON")
                : ScoreResult.Failed($"output JSON {AssertionValue.Describe(actual)} differs from expected {AssertionValue.Describe(expectedJson)}");
        }

        if (!AssertionValue.TryGetReference(value, input, out var expected))
        {
            return ScoreResult.Errored("equals needs a string, number, boolean, object or array value, or the case's expected output");
        }

        if (string.Equals(input.Output, expected, StringComparison.Ordinal))
        {
            return ScoreResult.Passed($"output equals {AssertionValue.Quote(expected)}");
        }

        var at = FirstDifference(input.Output, expected);
        return ScoreResult.Failed(
            $"output differs from {AssertionValue.Quote(expected)} at character {at} (lengths {input.Output.Length} vs {expected.Length})");
    }

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}
