namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>Why the judge decided what it did.</summary>
public enum RolloutDecisionReason
{
    /// <summary>The step's minimum duration or minimum samples per arm are not reached yet (and nothing is harmful).</summary>
    CollectingMinimum,

    /// <summary>The minimums are reached but not every metric is <see cref="RolloutVerdict.Acceptable"/> yet.</summary>
    AwaitingEvidence,

    /// <summary>Every metric is <see cref="RolloutVerdict.Acceptable"/> and the minimums are reached.</summary>
    AllAcceptable,

    /// <summary>An abort-capable metric is <see cref="RolloutVerdict.Harmful"/>.</summary>
    Harmful,

    /// <summary>A pause-only metric (<see cref="RolloutMetric.CanAbort"/> false) is <see cref="RolloutVerdict.Harmful"/>.</summary>
    HarmfulPauseOnly,

    /// <summary>The step's maximum duration passed undecided; the plan's <see cref="RolloutInconclusivePolicy"/> applied.</summary>
    MaxDurationInconclusive,
}
