namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>levenshtein</c>: the edit distance between the output and the value (or the case's expected output) is at
/// most the threshold (default 5). Score = 1 − distance / max(length), so it is comparable across lengths.
/// </summary>
internal sealed class LevenshteinScorer : IScorer
{
    public const double DefaultMaxDistance = 5;

    public string Name => "levenshtein";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (!AssertionValue.TryGetReference(assertion.Value, input, out var expected))
        {
            return ValueTask.FromResult(ScoreResult.Errored("levenshtein needs a string value or the case's expected output"));
        }

        var maxDistance = assertion.Threshold ?? DefaultMaxDistance;
        if (maxDistance < 0)
        {
            return ValueTask.FromResult(ScoreResult.Errored($"levenshtein threshold is a maximum edit distance and must be >= 0, got {AssertionValue.Number(maxDistance)}"));
        }

        var distance = Distance(input.Output, expected);
        var longest = Math.Max(input.Output.Length, expected.Length);
        var score = longest == 0 ? 1 : 1 - ((double)distance / longest);
        var verdict = distance <= maxDistance ? "<=" : ">";
        return ValueTask.FromResult(ScoreResult.Of(
            distance <= maxDistance,
            score,
            $"edit distance {distance} {verdict} {AssertionValue.Number(maxDistance)} from {AssertionValue.Quote(expected)}"));
    }

    /// <summary>The Levenshtein distance over UTF-16 code units, in O(min(m, n)) memory.</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length < b.Length)
        {
            (a, b) = (b, a);
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
