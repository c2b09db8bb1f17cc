namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>rouge-l</c>: ROUGE-L F1 between the output and the value (or the case's expected output) is at least the
/// threshold (default 0.75). Tokens are lower-cased runs of letters and digits, so whitespace and punctuation
/// only separate words.
/// </summary>
internal sealed class RougeLScorer : IScorer
{
    public const double DefaultThreshold = 0.75;

    public string Name => "rouge-l";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (!AssertionValue.TryGetReference(assertion.Value, input, out var reference))
        {
            return ValueTask.FromResult(ScoreResult.Errored("rouge-l needs a reference string value or the case's expected output"));
        }

        var threshold = assertion.Threshold ?? DefaultThreshold;
        if (threshold is < 0 or > 1)
        {
            return ValueTask.FromResult(ScoreResult.Errored($"rouge-l threshold must be in [0, 1], got {AssertionValue.Number(threshold)}"));
        }

        var f1 = F1(input.Output, reference);
        var verdict = f1 >= threshold ? ">=" : "<";
        return ValueTask.FromResult(ScoreResult.Of(f1 >= threshold, f1, $"ROUGE-L F1 {AssertionValue.Number(f1)} {verdict} {AssertionValue.Number(threshold)}"));
    }

    /// <summary>ROUGE-L F1; two texts without any tokens are identical (1), one empty side scores 0.</summary>
    public static double F1(string candidate, string reference)
    {
        var c = Tokenize(candidate);
        var r = Tokenize(reference);
        if (c.Count == 0 || r.Count == 0)
        {
            return c.Count == r.Count ? 1 : 0;
        }

        var lcs = LongestCommonSubsequence(c, r);
        if (lcs == 0)
        {
            return 0;
        }

        var precision = (double)lcs / c.Count;
        var recall = (double)lcs / r.Count;
        // Mathematically <= 1; the clamp only guards against a rounding ulp.
        return Math.Min(1, 2 * precision * recall / (precision + recall));
    }

    internal static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWordChar = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                tokens.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return tokens;
    }

    private static int LongestCommonSubsequence(List<string> a, List<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Count];
    }
}
