using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Prompts;

/// <summary>The evaluation that gates the bundle; the evaluation pipeline gives it meaning.</summary>
/// <param name="Thresholds">
/// Metric name → absolute threshold (a minimum pass rate, or a maximum for a lower-is-better metric). A gated
/// prompt's first version, with no stable to compare with, is admitted by a run that meets them all.
/// </param>
internal sealed record PromptEval(
    [property: JsonPropertyName("dataset")] string? Dataset,
    [property: JsonPropertyName("gate_required")] bool GateRequired,
    [property: JsonPropertyName("thresholds")] JsonElement? Thresholds)
{
    /// <summary>The thresholds as numbers; false when the field is not an object of finite, non-negative numbers.</summary>
    public bool TryReadThresholds(out Dictionary<string, double> thresholds)
    {
        thresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (Thresholds is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number
                || !property.Value.TryGetDouble(out var value)
                || !double.IsFinite(value)
                || value < 0
                || property.Name.Length == 0
                || !thresholds.TryAdd(property.Name, value))
            {
                return false;
            }
        }

        return true;
    }
}
