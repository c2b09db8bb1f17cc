using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Prompts;

/// <summary>The evaluation that gates the bundle; the evaluation pipeline gives it meaning.</summary>
internal sealed record PromptEval(
    [property: JsonPropertyName("dataset")] string? Dataset,
    [property: JsonPropertyName("gate_required")] bool GateRequired,
    [property: JsonPropertyName("thresholds")] JsonElement? Thresholds);
