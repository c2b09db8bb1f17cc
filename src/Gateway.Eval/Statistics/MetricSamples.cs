namespace LlmGateway.Eval.Statistics;

/// <summary>One metric to compare: its name, what its values are, how it is gated, and its paired values.</summary>
/// <param name="BoundedByRun">
/// Another rule bounds this metric over the whole run: the error rate, whose failed share beyond <c>max_error_rate</c>
/// makes the run incomplete, or a fail when only the candidate's calls fail. In an adaptive run its standard error has
/// no floor for pairs that all agree: clearing a 1-point tolerance against it with no failures would take about
/// 3 / 0.01 = 300 pairs, most of any budget on every clean run, and a strict run that could never pass.
/// </param>
/// <param name="Scores">
/// The values are assertion outcomes: pass/fail, or scores in [0, 1]. A weighted score over pass/fail assertions is then
/// a rate in all but name, and pairs that all agree are no more proof for it than for a rate (see
/// <see cref="Sequential.ClusterMoments.StandardError"/>); cost, latency and tokens have no such floor.
/// </param>
internal sealed record MetricSamples(string Name, MetricKind Kind, MetricGate Gate, PairedSamples Samples, bool BoundedByRun = false, bool Scores = false);
