namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>The metrics <see cref="ChangePointSimulation"/> generates for every simulated sample.</summary>
public enum SimulatedMetric
{
    /// <summary>Refused: Bernoulli, 5% at baseline.</summary>
    RefusalRate,

    /// <summary>Errored: Bernoulli, 2%.</summary>
    ErrorRate,

    /// <summary>Truncated at the token limit: Bernoulli, 3%.</summary>
    TruncationRate,

    /// <summary>Output tokens: lognormal, mean 150, σ = 0.8 on the log scale, rounded to a whole token (at least 1).</summary>
    OutputTokens,

    /// <summary>Latency in ms: lognormal, mean 1300, σ = 1.</summary>
    LatencyMs,

    /// <summary>Cost in USD: lognormal, mean 0.002, σ = 1.</summary>
    CostUsd,

    /// <summary>A judge score in [0, 1]: normal, mean 0.8, sd 0.15, clamped.</summary>
    JudgeScore,
}
