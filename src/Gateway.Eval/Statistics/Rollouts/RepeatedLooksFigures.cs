namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// Why the interval must be anytime-valid: one metric of a canary sitting exactly on its threshold (true degradation
/// = δ), looked at every 10 seconds, compared by the confidence sequence and by a fixed-sample z test at the same α.
/// Either verdict is then wrong, and each should happen in at most α of the trials.
/// </summary>
/// <param name="Metric">The metric (from <see cref="RolloutDefaults.Metrics"/>).</param>
/// <param name="WeightBps">The canary's share of the traffic.</param>
/// <param name="Minutes">Length of each trial (looks every <see cref="RolloutSimulation.CheckIntervalSeconds"/> s).</param>
/// <param name="Trials">Simulated windows.</param>
/// <param name="Alpha">The per-side error rate given to both procedures.</param>
/// <param name="SequenceHarmful">Share of trials in which some look's confidence sequence called it harmful.</param>
/// <param name="SequenceAcceptable">Share in which some look called it acceptable.</param>
/// <param name="FixedHarmful">Share in which some look's fixed-sample test (z ≥ Φ⁻¹(1 − α)) called it harmful.</param>
/// <param name="FixedAcceptable">Share in which some look's fixed-sample test called it acceptable.</param>
/// <param name="FixedHarmfulAtEnd">Share in which the fixed-sample test at the last look only called it harmful (its nominal use).</param>
public sealed record RepeatedLooksFigures(
    string Metric,
    int WeightBps,
    int Minutes,
    int Trials,
    double Alpha,
    double SequenceHarmful,
    double SequenceAcceptable,
    double FixedHarmful,
    double FixedAcceptable,
    double FixedHarmfulAtEnd);
