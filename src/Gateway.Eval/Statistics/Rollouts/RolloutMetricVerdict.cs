using LlmGateway.Eval.Statistics.ChangePoints;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// One metric's comparison of canary and stable at one look: the evidence the controller records. The difference and
/// its interval are canary − stable (absolute) or (canary − stable) / stable (relative), whatever the direction; the
/// statistic and its critical value are on the analysis scale (the difference, or ln(canary / stable)), oriented so
/// that positive is worse. Values that cannot be computed (too few readings, a non-positive mean under a relative
/// threshold) are null, so the record serialises without NaN.
/// </summary>
/// <param name="Metric">The metric's name.</param>
/// <param name="Scale">Its scale.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="ThresholdKind">Absolute or relative.</param>
/// <param name="Threshold">δ as configured (harmful beyond +δ when lower is better, beyond −δ when higher is better).</param>
/// <param name="CanAbort">Whether a harmful verdict aborts (else it pauses).</param>
/// <param name="Paired">Whether the readings were paired (a shadow step).</param>
/// <param name="Verdict">Harmful, Acceptable or Inconclusive.</param>
/// <param name="StableCount">Stable readings (pairs when paired).</param>
/// <param name="CanaryCount">Canary readings (pairs when paired).</param>
/// <param name="StableMean">The stable arm's mean.</param>
/// <param name="CanaryMean">The canary arm's mean.</param>
/// <param name="Difference">Canary − stable, or (canary − stable) / stable.</param>
/// <param name="Lower">The confidence sequence's lower end for <paramref name="Difference"/> at this look.</param>
/// <param name="Upper">Its upper end.</param>
/// <param name="Confidence">The interval's two-sided coverage, over all looks of the step: 1 − 2α (α per side).</param>
/// <param name="StandardError">The estimate's standard error on the analysis scale.</param>
/// <param name="Statistic">(degradation − threshold) / standard error on the analysis scale: harmful at ≥ +critical, acceptable at ≤ −critical.</param>
/// <param name="Critical">The confidence sequence's critical value at this look (it grows slowly with the information).</param>
/// <param name="Quantile">
/// For a quantile metric, which quantile: then <paramref name="StableMean"/> and <paramref name="CanaryMean"/> are the
/// arms' quantiles, the interval comes from their bounds, and there is no standard error or statistic.
/// </param>
public sealed record RolloutMetricVerdict(
    string Metric,
    MetricScale Scale,
    RolloutDirection Direction,
    RolloutThresholdKind ThresholdKind,
    double Threshold,
    bool CanAbort,
    bool Paired,
    RolloutVerdict Verdict,
    long StableCount,
    long CanaryCount,
    double? StableMean,
    double? CanaryMean,
    double? Difference,
    double? Lower,
    double? Upper,
    double Confidence,
    double? StandardError,
    double? Statistic,
    double? Critical,
    double? Quantile = null);
