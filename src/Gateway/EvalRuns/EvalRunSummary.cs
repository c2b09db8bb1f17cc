using System.Text.Json.Serialization;

namespace LlmGateway.EvalRuns;

/// <summary>
/// A version's newest stored run, as <c>GET /admin/v1/prompts/{name}</c> lists it beside the version
/// (<c>latest_eval</c>): enough to answer "what did this version achieve?"; the whole run is one
/// <c>GET …/evals/{id}</c> away.
/// </summary>
internal sealed record EvalRunSummary
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("verdict")]
    public string? Verdict { get; init; }

    [JsonPropertyName("baseline_version")]
    public int? BaselineVersion { get; init; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The gated metrics only: the ones the verdict rests on.</summary>
    [JsonPropertyName("metrics")]
    public required EvalRunMetric[] Metrics { get; init; }

    public static EvalRunSummary From(EvalRun run) => new()
    {
        Id = run.Id,
        Verdict = run.Verdict,
        BaselineVersion = run.Baseline?.Version,
        CreatedAt = run.CreatedAt,
        Metrics = [.. (run.Metrics ?? []).Where(m => m.Gated)],
    };
}
