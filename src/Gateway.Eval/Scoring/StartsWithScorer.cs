namespace LlmGateway.Eval.Scoring;

/// <summary><c>starts-with</c>: the output starts with the value (ordinal, no trimming, like promptfoo).</summary>
internal sealed class StartsWithScorer : IScorer
{
    public string Name => "starts-with";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (!AssertionValue.TryGetText(assertion.Value, out var prefix) || prefix.Length == 0)
        {
            return ValueTask.FromResult(ScoreResult.Errored("starts-with needs a non-empty string value"));
        }

        // The output's opening is shown at the prefix's length, but never with half of an emoji the cut split.
        var result = input.Output.StartsWith(prefix, StringComparison.Ordinal)
            ? ScoreResult.Passed($"output starts with {AssertionValue.Quote(prefix)}")
            : ScoreResult.Failed(
                $"output starts with {AssertionValue.Quote(TextCut.Prefix(input.Output, prefix.Length).ToString())}, not {AssertionValue.Quote(prefix)}");
        return ValueTask.FromResult(result);
    }
}
