using System.Text.Json.Serialization;

namespace LlmGateway.EvalRuns;

/// <summary>
/// The calls behind a run, per side, and the failed share the run allowed. The gateway decides completeness from
/// these numbers itself (<see cref="IsComplete"/>) rather than trusting a flag, so a run cannot claim to be whole.
/// </summary>
internal sealed record EvalRunCalls
{
    /// <summary>The largest <c>max_error_rate</c> a run may declare: beyond a quarter of calls failing, no verdict means anything.</summary>
    public const double MaxAllowedErrorRate = 0.25;

    /// <summary>Null for a candidate-only run (judged on absolute thresholds).</summary>
    [JsonPropertyName("baseline")]
    public EvalRunSideCalls? Baseline { get; init; }

    [JsonPropertyName("candidate")]
    public EvalRunSideCalls? Candidate { get; init; }

    [JsonPropertyName("max_error_rate")]
    public double MaxErrorRate { get; init; }

    /// <summary>Every side that ran made at least one call and failed no more than <see cref="MaxErrorRate"/> of them.</summary>
    public bool IsComplete() =>
        Candidate is { Total: > 0 } candidate
        && candidate.ErrorRate <= MaxErrorRate
        && (Baseline is null || (Baseline.Total > 0 && Baseline.ErrorRate <= MaxErrorRate));

    /// <summary>
    /// The candidate's calls failed beyond <see cref="MaxErrorRate"/> and the baseline's (same run, same gateway) did
    /// not: whatever verdict the run carries, it shows the candidate breaking, so the release gate counts it as a fail.
    /// </summary>
    public bool CandidateBroke() =>
        Candidate is { Total: > 0 } candidate
        && candidate.ErrorRate > MaxErrorRate
        && (Baseline is null || Baseline.ErrorRate <= MaxErrorRate);

    /// <summary>"60/60 baseline, 58/60 candidate calls succeeded", for messages and evidence.</summary>
    public string Describe()
    {
        var candidate = Candidate ?? new EvalRunSideCalls();
        var text = $"{candidate.Total - candidate.Failed}/{candidate.Total} candidate";
        return (Baseline is { } baseline ? $"{baseline.Total - baseline.Failed}/{baseline.Total} baseline, " : "") + text + " calls succeeded";
    }
}
