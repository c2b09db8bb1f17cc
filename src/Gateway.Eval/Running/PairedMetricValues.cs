namespace LlmGateway.Eval.Running;

/// <summary>
/// One metric's paired values: <see cref="Baseline"/>[case][repeat] pairs with <see cref="Candidate"/>[case][repeat],
/// the shape <see cref="Statistics.PairedSamples.FromCases"/> takes. A repeat with no value on either side is dropped
/// from both, and a case left with no repeats is dropped (<see cref="DroppedPairs"/>, <see cref="DroppedCases"/>).
/// </summary>
internal sealed record PairedMetricValues(
    string Metric,
    IReadOnlyList<string> CaseKeys,
    IReadOnlyList<IReadOnlyList<double>> Baseline,
    IReadOnlyList<IReadOnlyList<double>> Candidate,
    int DroppedPairs,
    int DroppedCases);
