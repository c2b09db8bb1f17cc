using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.Prompts;

/// <summary>The evaluation that gates a bundle (<c>eval</c>); the evaluation pipeline gives it meaning.</summary>
/// <param name="Dataset">The dataset file the gate's runs must have used (matched by file name).</param>
/// <param name="GateRequired">True: no protected environment takes the version without a complete, passing stored run.</param>
/// <param name="Thresholds">
/// Metric name → absolute threshold (a minimum pass rate, or a maximum for a lower-is-better metric). A gated
/// prompt's first version, with no stable to compare with, is admitted by a run that meets them all.
/// </param>
/// <param name="DatasetSha256">
/// The SHA-256 (lowercase hex) of <paramref name="Dataset"/>'s bytes: when set, only runs on exactly that content count
/// (a dataset edited under the same name is another test).
/// </param>
public sealed record PromptEval(
    [property: JsonPropertyName("dataset")] string? Dataset,
    [property: JsonPropertyName("gate_required")] bool GateRequired,
    [property: JsonPropertyName("thresholds")] JsonElement? Thresholds,
    [property: JsonPropertyName("dataset_sha256")] string? DatasetSha256 = null);
