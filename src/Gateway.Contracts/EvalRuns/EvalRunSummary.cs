using System.Text.Json.Serialization;

namespace LlmGateway.Contracts.EvalRuns;

/// <summary>
/// A version's newest stored evaluation run, as <c>GET /admin/v1/prompts/{name}</c> lists it beside the version
/// (<c>latest_eval</c>): enough to answer "what did this version achieve?"; the whole run is one
/// <c>GET …/evals/{id}</c> away.
/// </summary>
public sealed record EvalRunSummary
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary><c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>incomplete</c>.</summary>
    [JsonPropertyName("verdict")]
    public string? Verdict { get; init; }

    /// <summary>The version the run compared with; null for a run judged on thresholds alone.</summary>
    [JsonPropertyName("baseline_version")]
    public int? BaselineVersion { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The gated metrics only: the ones the verdict rests on.</summary>
    [JsonPropertyName("metrics")]
    public required EvalRunMetric[] Metrics { get; init; }
}
