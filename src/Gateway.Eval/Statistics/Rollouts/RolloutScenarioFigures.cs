namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>What happened to one simulated canary over many seeded rollouts.</summary>
/// <param name="Canary">The simulated canary.</param>
/// <param name="WithShadowStep">Whether the plan began with <see cref="RolloutDefaults.ShadowStep"/> (paired readings).</param>
/// <param name="Trials">Simulated rollouts.</param>
/// <param name="Promoted">Share promoted to 100%.</param>
/// <param name="Aborted">Share aborted.</param>
/// <param name="PausedHarmful">Share paused by a harmful pause-only metric.</param>
/// <param name="PausedInconclusive">Share paused at a step's maximum duration, undecided.</param>
/// <param name="AbortedNamingMetric">Share aborted naming the metric the canary degrades (for <see cref="SimulatedCanary.Equivalent"/>: 0).</param>
/// <param name="StoppedNamingMetric">Share aborted or paused naming that metric.</param>
/// <param name="AbortedAtShadow">Share aborted at the shadow step, before any user traffic reached the candidate.</param>
/// <param name="AbortedByFirstTwoUserSteps">Share aborted at the first or second user-facing step (or earlier).</param>
/// <param name="MedianMinutesToPromotion">Of the promoted: median simulated minutes from the start to promotion (NaN when none).</param>
/// <param name="P95MinutesToPromotion">Of the promoted: 95th percentile.</param>
/// <param name="MedianMinutesToStop">Of the aborted or paused: median minutes from the start (NaN when none).</param>
/// <param name="P95MinutesToStop">Of the aborted or paused: 95th percentile.</param>
/// <param name="MedianMinutesPerStep">Of the promoted: median minutes spent in each step of the plan.</param>
/// <param name="StopsByStep">How many rollouts stopped (abort or pause) at each step of the plan.</param>
public sealed record RolloutScenarioFigures(
    SimulatedCanary Canary,
    bool WithShadowStep,
    int Trials,
    double Promoted,
    double Aborted,
    double PausedHarmful,
    double PausedInconclusive,
    double AbortedNamingMetric,
    double StoppedNamingMetric,
    double AbortedAtShadow,
    double AbortedByFirstTwoUserSteps,
    double MedianMinutesToPromotion,
    double P95MinutesToPromotion,
    double MedianMinutesToStop,
    double P95MinutesToStop,
    IReadOnlyList<double> MedianMinutesPerStep,
    IReadOnlyList<int> StopsByStep);
