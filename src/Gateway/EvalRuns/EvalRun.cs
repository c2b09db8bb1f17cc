using System.Text.Json.Serialization;

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

    [JsonPropertyName("cost_usd")]
    public decimal? CostUsd { get; init; }

    [JsonPropertyName("git_sha")]
    public string? GitSha { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; init; }

    [JsonPropertyName("actor")]
    public string? Actor { get; init; }
}
