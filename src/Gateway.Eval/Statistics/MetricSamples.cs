namespace LlmGateway.Eval.Statistics;

/// <summary>One metric to compare: its name, what its values are, how it is gated, and its paired values.</summary>
/// <param name="BoundedByRun">
/// Another rule bounds this metric over the whole run: the error rate, whose failed share beyond <c>max_error_rate</c>
/// makes the run incomplete, or a fail when only the candidate's calls fail. In an adaptive run it stops the run when
/// it regresses, and holds it open while its pairs disagree, but one with no failures at all does not hold it open
/// outside strict mode: clearing a 1-point tolerance with no failures takes about 3 / 0.01 = 300 pairs, most of any
/// budget, on every clean run.
/// </param>
internal sealed record MetricSamples(string Name, MetricKind Kind, MetricGate Gate, PairedSamples Samples, bool BoundedByRun = false);
