using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>is-json</c>: the whole output (surrounding whitespace allowed) parses as JSON and, when the value is a JSON
/// Schema, validates against it. Fenced or embedded JSON is <c>contains-json</c>'s job.
/// </summary>
internal sealed class IsJsonScorer : IScorer
{
    public string Name => "is-json";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Score(assertion.Value, input.Output));

    private static ScoreResult Score(JsonElement? value, string output)
    {
        Json.Schema.JsonSchema? schema = null;
        if (value is { ValueKind: not JsonValueKind.Null } schemaValue && !JsonSchemaCheck.TryBuild(schemaValue, out schema, out var schemaError))
        {
            // Checked before the output so that a broken schema is reported even when the output is not JSON.
            return ScoreResult.Errored(schemaError);
        }

        if (!EmbeddedJson.TryParseWhole(output, out var json, out var parseError))
        {
            return ScoreResult.Failed($"output is not valid JSON: {parseError}");
        }

        if (schema is null)
        {
            return ScoreResult.Passed($"output is valid JSON ({json.ValueKind})");
        }

        if (!JsonSchemaCheck.TryValidate(schema, json, out var valid, out var detail))
        {
            return ScoreResult.Errored(detail);
        }

        return valid
            ? ScoreResult.Passed("output is valid JSON and matches the schema")
            : ScoreResult.Failed($"output is JSON but does not match the schema: {detail}");
    }
}
