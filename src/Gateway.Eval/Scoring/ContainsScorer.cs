namespace LlmGateway.Eval.Scoring;

/// <summary><c>contains</c> / <c>icontains</c>: the output contains the value (ordinal, or ordinal ignoring case).</summary>
internal sealed class ContainsScorer(string name, bool ignoreCase) : IScorer
{
    public string Name => name;

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        // An empty needle is contained in everything, which would make the assertion (and its negation) vacuous.
        if (!AssertionValue.TryGetText(assertion.Value, out var needle) || needle.Length == 0)
        {
            return ValueTask.FromResult(ScoreResult.Errored($"{name} needs a non-empty string value"));
        }

        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var result = input.Output.Contains(needle, comparison)
            ? ScoreResult.Passed($"output contains {AssertionValue.Quote(needle)}")
            : ScoreResult.Failed($"output does not contain {AssertionValue.Quote(needle)}");
        return ValueTask.FromResult(result);
    }
}
