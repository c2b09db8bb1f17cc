namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// A step <see cref="ChangePointSimulation"/> puts into one metric of all traffic (both arms) at minute
/// <see cref="ChangePointSimulation.StepMinute"/> of the hour.
/// </summary>
public enum SimulatedStep
{
    /// <summary>Refusal rate 5% → 15%.</summary>
    RefusalPlus10Points,

    /// <summary>Refusal rate 5% → 10%.</summary>
    RefusalPlus5Points,

    /// <summary>Refusal rate 0% → 15%: what an end-to-end test whose stable mock never refuses sees.</summary>
    RefusalFromZeroTo15Percent,

    /// <summary>Mean output tokens 150 → 210 (+40%, the lognormal's σ unchanged).</summary>
    OutputTokensPlus40Percent,
}
