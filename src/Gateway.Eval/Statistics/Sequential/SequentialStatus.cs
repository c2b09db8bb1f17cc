namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>Where one metric stands after a look.</summary>
internal enum SequentialStatus
{
    /// <summary>Undecided: more repeats could still change the verdict.</summary>
    Open,

    /// <summary>The anytime interval excludes zero on the bad side and the delta is beyond the tolerance.</summary>
    Regressed,

    /// <summary>The anytime interval's bad end is within the tolerance: no regression the gate cares about (improvements included).</summary>
    Cleared,

    /// <summary>
    /// Not cleared, but the data favour "no change" over the smallest regression the full budget would catch, by the
    /// likelihood ratio <see cref="AdaptiveRepeatsOptions.Futility"/>: more calls would most likely not change the gate.
    /// Also when repeats never differ within a case, so more of them cannot change anything (strict mode included).
    /// The verdict is then unchanged (flagged underpowered, since the interval still reaches beyond the tolerance).
    /// </summary>
    Futile,
}
