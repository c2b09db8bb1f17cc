using System.Text.Json.Serialization;

namespace LlmGateway.EvalRuns;

/// <summary>A version the run called: the candidate, or the baseline (which also names the environment it was resolved from).</summary>
internal sealed record EvalRunTarget
{
    [JsonPropertyName("version")]
    public int Version { get; init; }

    [JsonPropertyName("bundle_id")]
    public string? BundleId { get; init; }

    /// <summary>Baseline only: the environment whose stable version it was (<c>stable@production</c>).</summary>
    [JsonPropertyName("environment")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Environment { get; init; }
}
