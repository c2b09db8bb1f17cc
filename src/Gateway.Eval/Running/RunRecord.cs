namespace LlmGateway.Eval.Running;

/// <summary>One run: a case, a repeat, a version; what came back, how each assertion scored, and each metric's value.</summary>
/// <param name="Metrics">Metric name to value; null when the run has none for the metric (no feeding assertion, unknown cost, failed call for cost/latency).</param>
internal sealed record RunRecord(
    RunCase Case,
    int Repeat,
    RunSide Side,
    long Seed,
    CaseExecution Execution,
    IReadOnlyList<AssertionOutcome> Assertions,
    IReadOnlyDictionary<string, double?> Metrics)
{
    /// <summary>The call failed (after retries).</summary>
    public bool IsError => !Execution.Succeeded;

    /// <summary>The call succeeded but at least one assertion's scorer could not run (counts against completeness).</summary>
    public bool HasScoringError => Execution.Succeeded && Assertions.Any(a => a.Result.IsError);

    /// <summary>The call succeeded and every assertion passed.</summary>
    public bool Passed => Execution.Succeeded && Assertions.All(a => a.Result.Pass);
}
