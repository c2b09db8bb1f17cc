namespace LlmGateway.Eval.Statistics;

/// <summary>
/// A metric's verdict, the tolerance it was judged against in the delta's units, and for an inconclusive verdict
/// roughly how many more cases would settle it (null when more cases cannot, see <see cref="VerdictRule"/>).
/// </summary>
internal sealed record MetricDecision(Verdict Verdict, double ToleranceInDeltaUnits, long? MoreCasesNeeded);
