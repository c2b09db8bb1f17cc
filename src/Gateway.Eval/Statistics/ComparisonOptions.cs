namespace LlmGateway.Eval.Statistics;

/// <summary>How a comparison is computed. The seed is recorded in the report so a verdict can be reproduced.</summary>
internal sealed record ComparisonOptions
{
    public int Resamples { get; init; } = PairedBootstrap.DefaultResamples;

    public double Confidence { get; init; } = PairedBootstrap.DefaultConfidence;

    public long Seed { get; init; }

    /// <summary>Report a metric inconclusive (and the gate with it) when its CI cannot rule out a regression beyond the tolerance.</summary>
    public bool Strict { get; init; }
}
