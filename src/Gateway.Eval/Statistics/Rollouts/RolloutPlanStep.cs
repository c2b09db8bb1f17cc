namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>One step of a progressive-delivery plan.</summary>
/// <param name="WeightBps">
/// The canary's share of user traffic in basis points (100 = 1%); 0 is a shadow step, where the candidate answers a
/// copy of the requests and its answers are only measured (judge it with the paired readings). Below 10000: all
/// traffic on the canary is what promotion does.
/// </param>
/// <param name="MinDuration">The step lasts at least this long, whatever the evidence (abort aside).</param>
/// <param name="MinSamplesPerArm">And each arm has at least this many readings of every metric before it can advance.</param>
/// <param name="MaxDuration">
/// After this long undecided, the plan's <see cref="RolloutInconclusivePolicy"/> applies; null = three times
/// <paramref name="MinDuration"/>.
/// </param>
public sealed record RolloutPlanStep(int WeightBps, TimeSpan MinDuration, long MinSamplesPerArm, TimeSpan? MaxDuration = null)
{
    /// <summary>How many times the minimum duration a step lasts at most when it states no maximum.</summary>
    public const int DefaultMaxDurationFactor = 3;

    /// <summary>Whether this is a shadow step (no user traffic on the candidate).</summary>
    public bool IsShadow => WeightBps == 0;

    /// <summary><see cref="MaxDuration"/>, or <see cref="DefaultMaxDurationFactor"/> × <see cref="MinDuration"/>.</summary>
    public TimeSpan EffectiveMaxDuration => MaxDuration ?? (MinDuration * DefaultMaxDurationFactor);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when the step is unusable.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(WeightBps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(WeightBps, 9999);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinDuration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(MinSamplesPerArm);
        if (EffectiveMaxDuration < MinDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDuration), MaxDuration, "The maximum duration cannot be shorter than the minimum.");
        }
    }
}
