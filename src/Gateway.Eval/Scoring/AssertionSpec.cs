using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// One assertion of an evaluation case, in promptfoo's shape:
/// <c>{"type":"contains","value":"refund","weight":1,"metric":"accuracy","threshold":0.8}</c>.
/// A <c>not-</c> prefix on <see cref="Type"/> negates the scorer (see <see cref="ScorerRegistry"/>).
/// An <c>assert-set</c> groups <see cref="Children"/> (promptfoo's <c>assert</c>) into one assertion; see <see cref="AssertSetScorer"/>.
/// </summary>
/// <param name="Type">The scorer's name, e.g. <c>contains</c> or <c>not-is-json</c>.</param>
/// <param name="Value">The scorer's argument; its meaning depends on the type. May reference case vars as <c>{{ name }}</c>.</param>
/// <param name="Weight">The assertion's weight in the case's weighted score.</param>
/// <param name="Metric">A named metric this assertion contributes to, if any.</param>
/// <param name="Threshold">The scorer-specific threshold (a minimum score, a maximum distance, a maximum latency…).</param>
/// <param name="Children">An <c>assert-set</c>'s assertions (<c>assert</c> in JSON); null for every other type.</param>
// Positional rather than init-only properties: the source generator honours a constructor parameter's default,
// whereas it resets an absent init-only property to default(T), which would turn the default weight 1 into 0.
public sealed record AssertionSpec(
    string Type,
    JsonElement? Value = null,
    double Weight = 1,
    string? Metric = null,
    double? Threshold = null,
    [property: JsonPropertyName("assert")] IReadOnlyList<AssertionSpec>? Children = null)
{
    /// <summary>Parses one assertion object.</summary>
    /// <exception cref="JsonException">The JSON is malformed, has unknown properties or out-of-range numbers.</exception>
    public static AssertionSpec Parse(string json) =>
        Validate(JsonSerializer.Deserialize(json, ScoringJsonContext.Default.AssertionSpec));

    /// <summary>Parses one assertion object that is already part of a larger document (a dataset or config).</summary>
    /// <exception cref="JsonException">The element is not a valid assertion.</exception>
    public static AssertionSpec FromJson(JsonElement element) =>
        Validate(element.Deserialize(ScoringJsonContext.Default.AssertionSpec));

    /// <summary>Parses a JSON array of assertions.</summary>
    /// <exception cref="JsonException">The JSON is not an array of valid assertions.</exception>
    public static IReadOnlyList<AssertionSpec> ParseList(string json)
    {
        var list = JsonSerializer.Deserialize(json, ScoringJsonContext.Default.AssertionSpecArray)
            ?? throw new JsonException("expected an array of assertions, found null");
        foreach (var spec in list)
        {
            Validate(spec);
        }

        return list;
    }

    /// <summary>Whether this is an <c>assert-set</c> (or its negation), which scores <see cref="Children"/>.</summary>
    [JsonIgnore]
    public bool IsSet
    {
        get
        {
            var type = Type?.Trim() ?? string.Empty;
            var baseType = type.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase) ? type[ScorerRegistry.NegationPrefix.Length..] : type;
            return string.Equals(baseType, AssertSetScorer.TypeName, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static AssertionSpec Validate(AssertionSpec? spec)
    {
        if (spec is null)
        {
            throw new JsonException("expected an assertion object, found null");
        }

        if (string.IsNullOrWhiteSpace(spec.Type))
        {
            throw new JsonException("an assertion's 'type' must be a non-empty string");
        }

        // A negative or infinite weight would silently corrupt the weighted case score downstream.
        if (!double.IsFinite(spec.Weight) || spec.Weight < 0)
        {
            throw new JsonException($"assertion '{spec.Type}': 'weight' must be a finite number >= 0");
        }

        if (spec.Threshold is { } threshold && !double.IsFinite(threshold))
        {
            throw new JsonException($"assertion '{spec.Type}': 'threshold' must be a finite number");
        }

        return spec.IsSet ? ValidateSet(spec) : spec.Children is null
            ? spec
            : throw new JsonException($"assertion '{spec.Type}': 'assert' (nested assertions) is only allowed on an {AssertSetScorer.TypeName}");
    }

    private static AssertionSpec ValidateSet(AssertionSpec set)
    {
        if (set.Children is not { Count: > 0 } children)
        {
            throw new JsonException($"{set.Type}: 'assert' must be a non-empty list of assertions");
        }

        if (set.Value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined })
        {
            throw new JsonException($"{set.Type}: takes no 'value'; its assertions go in 'assert'");
        }

        // The set's score is a weighted mean in [0, 1]: a threshold outside it (say 50 for 50%) could never be met.
        if (set.Threshold is { } threshold && threshold is < 0 or > 1)
        {
            throw new JsonException($"{set.Type}: 'threshold' is the minimum weighted score and must be in [0, 1], found {threshold}");
        }

        for (var i = 0; i < children.Count; i++)
        {
            try
            {
                var child = Validate(children[i]);

                // Metrics are fed by top-level assertions only, so a tag in here would be silently ignored.
                if (child.Metric is not null)
                {
                    throw new JsonException($"'metric' is not allowed inside an {AssertSetScorer.TypeName}; tag the set instead");
                }
            }
            catch (JsonException ex)
            {
                throw new JsonException($"{set.Type}: assert[{i}]: {ex.Message}", ex);
            }
        }

        return set;
    }
}
