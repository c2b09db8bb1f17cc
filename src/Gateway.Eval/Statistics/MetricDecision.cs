namespace LlmGateway.Eval.Statistics;

/// <summary>
/// A metric's verdict, the tolerance it was judged against in the delta's units, and, when the CI still reaches
/// beyond the tolerance on the bad side without a regression being shown (<see cref="Underpowered"/>), roughly how
/// many more cases would settle it (null when more cases cannot, see <see cref="VerdictRule"/>).
/// </summary>
/// <param name="Underpowered">
/// Not regressed, yet the CI's bad end lies beyond the tolerance: strict mode calls that inconclusive, and otherwise
/// the metric passes as unchanged but the report says the data could not have seen a regression of that size.
/// </param>
internal sealed record MetricDecision(Verdict Verdict, double ToleranceInDeltaUnits, long? MoreCasesNeeded, bool Underpowered = false);
