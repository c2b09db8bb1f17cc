namespace LlmGateway.Eval.Statistics.Sequential;

/// <summary>Why an adaptive run stopped (or <see cref="None"/> while it continues).</summary>
internal enum SequentialStopReason
{
    None,

    /// <summary>A gated metric regressed: the gate fails whatever the others do.</summary>
    Regressed,

    /// <summary>Every gated metric is cleared or futile.</summary>
    AllDecided,

    /// <summary>Another round would exceed the call budget or the round cap; open metrics are judged as they stand.</summary>
    BudgetSpent,

    /// <summary>No metric is gated, so nothing can be decided by spending more.</summary>
    NothingGated,
}
