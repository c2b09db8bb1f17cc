namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>contains-any</c> / <c>contains-all</c> and their <c>i</c> variants. The value is an array of strings or a
/// comma-separated string. <c>-all</c> scores the fraction found, so a near miss is visible in aggregates.
/// </summary>
internal sealed class ContainsSetScorer(string name, bool requireAll, bool ignoreCase) : IScorer
{
    public string Name => name;

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (!AssertionValue.TryGetTextList(assertion.Value, out var needles))
        {
            return ValueTask.FromResult(ScoreResult.Errored(
                $"{name} needs a non-empty array of non-empty strings or a comma-separated string"));
        }

        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var found = needles.Where(n => input.Output.Contains(n, comparison)).ToList();
        var missing = needles.Except(found).ToList();
        ScoreResult result;
        if (requireAll)
        {
            var score = (double)found.Count / needles.Count;
            result = missing.Count == 0
                ? ScoreResult.Passed($"output contains all of {List(needles)}")
                : ScoreResult.Of(false, score, $"output is missing {List(missing)} ({found.Count}/{needles.Count} found)");
        }
        else
        {
            result = found.Count > 0
                ? ScoreResult.Passed($"output contains {List(found)}")
                : ScoreResult.Failed($"output contains none of {List(needles)}");
        }

        return ValueTask.FromResult(result);
    }

    private static string List(IEnumerable<string> items) => string.Join(", ", items.Select(AssertionValue.Quote));
}
