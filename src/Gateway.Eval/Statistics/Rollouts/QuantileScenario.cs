namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>One simulated step for <see cref="QuantileSimulation"/>.</summary>
/// <param name="Name">What the canary is.</param>
/// <param name="P95Ratio">The canary's p95 over stable's (1 = the same distribution); the mean is the same either way.</param>
/// <param name="WeightBps">The canary's share of the traffic, in basis points.</param>
/// <param name="Minutes">How long the step is watched (its longest duration in the default plan).</param>
/// <param name="Alpha">The comparison's per-side error rate.</param>
public sealed record QuantileScenario(string Name, double P95Ratio, int WeightBps, int Minutes, double Alpha);
