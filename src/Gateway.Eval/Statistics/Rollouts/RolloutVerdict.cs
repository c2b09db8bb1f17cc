namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>What the anytime-valid comparison of one metric establishes at one look.</summary>
public enum RolloutVerdict
{
    /// <summary>Neither: the interval still contains the threshold (or there are too few readings to judge).</summary>
    Inconclusive,

    /// <summary>The whole interval is worse than the threshold: a degradation beyond δ is established.</summary>
    Harmful,

    /// <summary>The whole interval is better than the threshold: non-inferiority within δ is established.</summary>
    Acceptable,
}
