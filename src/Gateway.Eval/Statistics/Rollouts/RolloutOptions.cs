namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// The rollout judge's settings. The defaults are calibrated by <see cref="RolloutSimulation"/> (docs/canary-analysis.md).
/// </summary>
public sealed record RolloutOptions
{
    /// <summary>The defaults.</summary>
    public static RolloutOptions Default { get; } = new();

    /// <summary>
    /// The family-wise error rate of the whole rollout. Each metric at each step gets
    /// <c>Alpha / (metrics × steps)</c> per side (Bonferroni): over the whole plan and every look, a canary within δ
    /// on every metric is wrongly called <see cref="RolloutVerdict.Harmful"/> on any of them with probability at most
    /// <see cref="Alpha"/>, and a step passes a metric that is worse than δ with probability at most its share.
    /// </summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>The plan's <c>on_inconclusive</c>.</summary>
    public RolloutInconclusivePolicy OnInconclusive { get; init; } = RolloutInconclusivePolicy.Pause;

    /// <summary>
    /// No verdict (every metric stays <see cref="RolloutVerdict.Inconclusive"/>) until each arm has this many readings:
    /// the normal approximation behind the interval is not trusted below it.
    /// </summary>
    public long MinimumSamplesForVerdict { get; init; } = 30;

    /// <summary>
    /// The normal mixture's scale τ as a multiple of the metric's threshold on the analysis scale: the confidence
    /// sequence is tightest when the standard error is about τ / 3.8, i.e. when a difference of about δ is being
    /// resolved, which is where the decisions are made.
    /// </summary>
    public double MixtureScale { get; init; } = 1.0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a setting is outside its domain.</summary>
    public void Validate()
    {
        if (!(Alpha > 0 && Alpha < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "must be in (0, 0.5)");
        }

        if (!Enum.IsDefined(OnInconclusive))
        {
            throw new ArgumentOutOfRangeException(nameof(OnInconclusive), OnInconclusive, "undefined policy");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumSamplesForVerdict, 2);
        if (!(MixtureScale > 0) || !double.IsFinite(MixtureScale))
        {
            throw new ArgumentOutOfRangeException(nameof(MixtureScale), MixtureScale, "must be positive and finite");
        }
    }
}
