namespace LlmGateway.LoadTests.Reporting;

/// <summary>Percentiles of one duration histogram, in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs);
