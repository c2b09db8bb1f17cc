namespace LlmGateway.Eval.Statistics;

/// <summary>
/// A paired comparison of one metric: means over cases (each case's repeats averaged first), the mean paired
/// difference candidate − baseline and its percentile confidence interval.
/// </summary>
internal sealed record BootstrapResult(
    double BaselineMean,
    double CandidateMean,
    double Delta,
    double CiLow,
    double CiHigh,
    int Cases,
    int Repeats,
    double Confidence,
    int Resamples,
    long Seed);
