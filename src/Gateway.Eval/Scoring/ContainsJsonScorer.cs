using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>contains-json</c>: some JSON object or array is embedded in the output (inline or in a <c>```json</c> fence).
/// With a JSON Schema value, at least one embedded document must validate.
/// </summary>
internal sealed class ContainsJsonScorer : IScorer
{
    public string Name => "contains-json";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(assertion.Value, input.Output));

    private static ScoreResult Score(JsonElement? value, string output)
    {
        Json.Schema.JsonSchema? schema = null;
        if (value is { ValueKind: not JsonValueKind.Null } schemaValue && !JsonSchemaCheck.TryBuild(schemaValue, out schema, out var schemaError))
        {
            return ScoreResult.Errored(schemaError);
        }

        var candidates = EmbeddedJson.FindAll(output);
        if (candidates.Count == 0)
        {
            return ScoreResult.Failed("output contains no JSON object or array");
        }

        if (schema is null)
        {
            return ScoreResult.Passed($"output contains {candidates.Count} JSON document(s)");
        }

        string? firstErrors = null;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!JsonSchemaCheck.TryValidate(schema, candidates[i], out var valid, out var detail))
            {
                return ScoreResult.Errored(detail);
            }

            if (valid)
            {
                return ScoreResult.Passed($"JSON document {i + 1} of {candidates.Count} matches the schema");
            }

            firstErrors ??= detail;
        }

        return ScoreResult.Failed($"none of the {candidates.Count} JSON document(s) matches the schema; the first: {firstErrors}");
    }
}
