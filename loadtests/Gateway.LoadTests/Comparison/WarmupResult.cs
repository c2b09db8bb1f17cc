namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// What one system's warm-up did before round 1 (sent but never measured), so a report shows it happened: its length,
/// its requests, and the JIT's pace over its last slice (methods per second; null when no slice ran), with a separate
/// store's (the share of a core its tiered-compilation thread used; null without a separate store).
/// </summary>
internal sealed record WarmupResult(string System, double Seconds, long Requests, long Failed, double? FinalJitMethodsPerSecond, double? FinalStoreJitShare);
