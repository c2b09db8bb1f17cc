using System.Text.Json;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// One assertion of an evaluation case, in promptfoo's shape:
/// <c>{"type":"contains","value":"refund","weight":1,"metric":"accuracy","threshold":0.8}</c>.
/// A <c>not-</c> prefix on <see cref="Type"/> negates the scorer (see <see cref="ScorerRegistry"/>).
/// </summary>
/// <param name="Type">The scorer's name, e.g. <c>contains</c> or <c>not-is-json</c>.</param>
/// <param name="Value">The scorer's argument; its meaning depends on the type. May reference case vars as <c>{{ name }}</c>.</param>
/// <param name="Weight">The assertion's weight in the case's weighted score.</param>
/// <param name="Metric">A named metric this assertion contributes to, if any.</param>
/// <param name="Threshold">The scorer-specific threshold (a minimum score, a maximum distance, a maximum latency…).</param>
// Positional rather than init-only properties: the source generator honours a constructor parameter's default,
// whereas it resets an absent init-only property to default(T), which would turn the default weight 1 into 0.
public sealed record AssertionSpec(
    string Type,
    JsonElement? Value = null,
    double Weight = 1,
    string? Metric = null,
    double? Threshold = null)
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

        return spec;
    }
}
