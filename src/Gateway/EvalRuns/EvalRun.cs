using System.Text.Json.Serialization;
using LlmGateway.Contracts.EvalRuns;

namespace LlmGateway.EvalRuns;

/// <summary>
/// One stored evaluation run: what the client sent, plus <see cref="CreatedAt"/> and <see cref="Actor"/>,
/// which the server always sets so a run cannot claim another time or author. Stored as JSON in
/// <c>{prefix}:{p:name}:evals</c>.
/// </summary>
internal sealed record EvalRun
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("prompt")]
    public string? Prompt { get; init; }

    [JsonPropertyName("candidate")]
    public EvalRunTarget? Candidate { get; init; }

    [JsonPropertyName("baseline")]
    public EvalRunTarget? Baseline { get; init; }

    [JsonPropertyName("datasets")]
    public EvalRunDataset[]? Datasets { get; init; }

    [JsonPropertyName("metrics")]
    public EvalRunMetric[]? Metrics { get; init; }

    /// <summary><c>pass</c>, <c>fail</c> or <c>inconclusive</c> (see <see cref="EvalRunVerdicts"/>).</summary>
    [JsonPropertyName("verdict")]
    public string? Verdict { get; init; }

    /// <summary><c>comparison</c> (candidate vs a baseline; the default) or <c>thresholds</c> (the candidate alone against the bundle's <c>eval.thresholds</c>).</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; init; }

    /// <summary>A thresholds run's thresholds, metric → minimum (or maximum, for lower-is-better metrics).</summary>
    [JsonPropertyName("thresholds")]
    public Dictionary<string, double>? Thresholds { get; init; }

    /// <summary>How many calls each side made and how many failed; a run without them can never open the release gate.</summary>
    [JsonPropertyName("calls")]
    public EvalRunCalls? Calls { get; init; }

    /// <summary>Set by the server from <see cref="Calls"/>: whether few enough calls failed for the verdict to mean anything.</summary>
    [JsonPropertyName("complete")]
    public bool? Complete { get; init; }

    [JsonPropertyName("cost_usd")]
    public decimal? CostUsd { get; init; }

    [JsonPropertyName("git_sha")]
    public string? GitSha { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonPropertyName("actor")]
    public string? Actor { get; init; }
}
