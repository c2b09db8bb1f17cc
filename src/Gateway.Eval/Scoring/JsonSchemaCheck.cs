using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Json.Schema;

namespace LlmGateway.Eval.Scoring;

/// <summary>Builds a JSON Schema from an assertion value and validates instances with JsonSchema.Net.</summary>
internal static class JsonSchemaCheck
{
    private const int ErrorsShown = 3;

    /// <summary>Builds a schema from an object, a boolean, or a string holding schema JSON.</summary>
    public static bool TryBuild(JsonElement value, [NotNullWhen(true)] out JsonSchema? schema, [NotNullWhen(false)] out string? error)
    {
        schema = null;
        var element = value;
        if (value.ValueKind == JsonValueKind.String && !EmbeddedJson.TryParseWhole(value.GetString()!, out element, out var parseError))
        {
            error = $"invalid JSON schema: the string value is not JSON ({parseError})";
            return false;
        }

        if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            error = $"invalid JSON schema: expected an object or boolean, found {element.ValueKind}";
            return false;
        }

        if (SchemaReferences.Problem(element) is { } references)
        {
            error = $"invalid JSON schema: {references}";
            return false;
        }

        try
        {
            // A private registry per build: the global one rejects a second schema with the same $id, which every
            // case of a dataset sharing one schema would otherwise hit.
            schema = JsonSchema.Build(element, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonSchemaException or ArgumentException or JsonException)
        {
            error = $"invalid JSON schema: {ex.Message}";
            return false;
        }
    }

    /// <summary>
    /// Validates <paramref name="instance"/>. Returns false when the schema cannot be evaluated (an unresolvable
    /// <c>$ref</c> only surfaces here), with the reason in <paramref name="detail"/>. Otherwise
    /// <paramref name="valid"/> is the verdict and, when invalid, <paramref name="detail"/> describes the first few
    /// violations as <c>location: message [keyword]</c>.
    /// </summary>
    public static bool TryValidate(JsonSchema schema, JsonElement instance, out bool valid, out string detail)
    {
        EvaluationResults results;
        try
        {
            results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        }
        catch (JsonSchemaException ex)
        {
            valid = false;
            detail = $"invalid JSON schema: {ex.Message}";
            return false;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // A pattern of the schema that backtracks on this answer (the process-wide timeout, RegexMatchDefaults).
            valid = false;
            detail = string.Create(CultureInfo.InvariantCulture, $"the schema's pattern took over {RegexMatchDefaults.Timeout.TotalSeconds:0.#} s on this answer");
            return false;
        }

        valid = results.IsValid;
        detail = valid ? string.Empty : Describe(results);
        return true;
    }

    private static string Describe(EvaluationResults results)
    {
        var messages = new List<string>();
        foreach (var node in (IEnumerable<EvaluationResults>)[results, .. results.Details ?? []])
        {
            foreach (var (keyword, message) in node.Errors ?? [])
            {
                var location = node.InstanceLocation.ToString();
                messages.Add($"{(location.Length == 0 ? "(root)" : location)}: {message} [{keyword}]");
            }
        }

        var distinct = messages.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0
            ? "does not match the schema"
            : string.Join("; ", distinct.Take(ErrorsShown)) + (distinct.Count > ErrorsShown ? $"; and {distinct.Count - ErrorsShown} more" : string.Empty);
    }
}
