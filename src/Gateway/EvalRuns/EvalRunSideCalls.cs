using System.Text.Json.Serialization;

namespace LlmGateway.EvalRuns;

/// <summary>One side's calls in an evaluation run: how many were made and how many failed after retries.</summary>
internal sealed record EvalRunSideCalls
{
    [JsonPropertyName("total")]
    public int Total { get; init; }

    [JsonPropertyName("failed")]
    public int Failed { get; init; }

    [JsonIgnore]
    public double ErrorRate => Total == 0 ? 0 : (double)Failed / Total;
}
