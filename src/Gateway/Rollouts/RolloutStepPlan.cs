namespace LlmGateway.Rollouts;

/// <summary>A validated step: the canary weight in basis points (0 on a shadow step), and how long and on how much it is judged.</summary>
internal sealed record RolloutStepPlan(int WeightBps, bool Shadow, double ShadowShare, TimeSpan MinDuration, long MinSamplesPerArm, TimeSpan MaxDuration);
