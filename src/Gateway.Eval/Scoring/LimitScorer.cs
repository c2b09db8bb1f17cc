namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>latency</c>, <c>cost</c>, <c>output-tokens</c>: a measured quantity is at most the threshold. A missing
/// measurement or threshold is an error, not a pass: a budget that cannot be checked has not been met.
/// </summary>
internal sealed class LimitScorer(string name, string unit, Func<ScoringInput, decimal?> measure) : IScorer
{
    public string Name => name;

    public static LimitScorer Latency() =>
        new("latency", "ms", i => i.LatencyMs is { } ms && double.IsFinite(ms) ? (decimal)ms : null);

    public static LimitScorer Cost() => new("cost", "USD", i => i.CostUsd);

    public static LimitScorer OutputTokens() => new("output-tokens", "tokens", i => i.OutputTokens);

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (assertion.Threshold is not { } threshold || threshold < 0 || threshold > (double)decimal.MaxValue)
        {
            return ValueTask.FromResult(ScoreResult.Errored($"{name} needs a threshold >= 0 (the maximum, in {unit})"));
        }

        if (measure(input) is not { } measured)
        {
            return ValueTask.FromResult(ScoreResult.Errored($"{name} is unknown for this case, so the {unit} budget cannot be checked"));
        }

        var limit = (decimal)threshold;
        var result = measured <= limit
            ? ScoreResult.Passed($"{name} {AssertionValue.Number(measured)} {unit} <= {AssertionValue.Number(limit)}")
            : ScoreResult.Failed($"{name} {AssertionValue.Number(measured)} {unit} > {AssertionValue.Number(limit)}");
        return ValueTask.FromResult(result);
    }
}
