namespace LlmGateway.Rollouts;

/// <summary>A validated step: the canary weight in basis points (0 on a shadow step), and how long and on how much it is judged.</summary>
/// <param name="MinUnitsPerArm">
/// A weight step: the distinct assignment units (sessions, users, else gateway keys) each arm needs before it may advance
/// or promote. 0 on a shadow step, whose pairs answer the same requests and are not gated on units.
/// </param>
internal sealed record RolloutStepPlan(int WeightBps, bool Shadow, double ShadowShare, TimeSpan MinDuration, long MinSamplesPerArm, TimeSpan MaxDuration, long MinUnitsPerArm = 0)
{
    /// <summary>A shadow step's share of stable requests copied to the candidate, in basis points as the release holds it (0 on a weight step).</summary>
    public int ShadowShareBps => Shadow ? Math.Max(1, (int)Math.Round(ShadowShare * 10_000, MidpointRounding.AwayFromZero)) : 0;

    /// <summary>Whether <paramref name="release"/> serves this step: its shadow share with no canary weight, or its weight.</summary>
    public bool IsServedBy(Contracts.Releases.ReleaseRecord release) =>
        Shadow ? release.CanaryWeight == 0 && release.ShadowShare == ShadowShareBps : release.CanaryWeight == WeightBps;
}
