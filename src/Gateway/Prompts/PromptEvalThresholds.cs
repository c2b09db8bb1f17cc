using System.Text.Json;
using LlmGateway.Contracts.Prompts;

namespace LlmGateway.Prompts;

/// <summary>Reads a bundle's <see cref="PromptEval.Thresholds"/>, for the validator and the release gate.</summary>
internal static class PromptEvalThresholds
{
    /// <summary>The thresholds as numbers; false when the field is not an object of finite, non-negative numbers.</summary>
    public static bool TryReadThresholds(this PromptEval eval, out Dictionary<string, double> thresholds)
    {
        thresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (eval.Thresholds is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
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
