namespace LlmGateway.LoadTests.Comparison;

/// <summary>What one system's warm-up did before round 1 (sent but never measured), so a report shows it happened.</summary>
internal sealed record WarmupResult(string System, double Seconds, long Requests, long Failed);
