using System.Globalization;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>assert-set</c>, as in promptfoo: a group of assertions scored as one. Its score is the weighted mean of its
/// children's scores (Σ weight·score / Σ weight; the plain mean when every weight is 0, as for a metric's
/// weighted score). Without a threshold it passes when every child passes; with one, when the score reaches it.
/// </summary>
/// <remarks>
/// A child that errors makes the whole set errored, even when the others would reach the threshold: errors never
/// pass, and "could not check one part" must not read as a pass on the rest. Children are scored through the
/// registry, so each gets the <c>not-</c> prefix, var substitution and error handling of a top-level assertion.
/// </remarks>
internal sealed class AssertSetScorer(ScorerRegistry registry) : IScorer
{
    public const string TypeName = "assert-set";

    public string Name => TypeName;

    public async ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (assertion.Children is not { Count: > 0 } children)
        {
            return ScoreResult.Errored($"{TypeName}: 'assert' must be a non-empty list of assertions");
        }

        var results = new ScoreResult[children.Count];
        for (var i = 0; i < children.Count; i++)
        {
            results[i] = await registry.ScoreAsync(children[i], input, cancellationToken).ConfigureAwait(false);
            if (results[i].IsError)
            {
                return ScoreResult.Errored($"{TypeName}: assert[{i}] ({children[i].Type}) errored: {results[i].Error}");
            }
        }

        var totalWeight = children.Sum(c => c.Weight);
        var score = totalWeight > 0
            ? children.Select((c, i) => c.Weight * results[i].Score).Sum() / totalWeight
            : results.Average(r => r.Score);
        score = Math.Clamp(score, 0, 1);

        var passed = results.Count(r => r.Pass);
        var firstFailure = Array.FindIndex(results, r => !r.Pass);
        var failure = firstFailure < 0 ? string.Empty : $"; first failure assert[{firstFailure}] ({children[firstFailure].Type}): {results[firstFailure].Reason}";
        var summary = $"{passed} of {children.Count} passed, weighted score {Format(score)}";

        if (assertion.Threshold is { } threshold)
        {
            var pass = score >= threshold;
            return ScoreResult.Of(pass, score, $"{summary} {(pass ? ">=" : "<")} threshold {Format(threshold)}{failure}");
        }

        return ScoreResult.Of(passed == children.Count, score, $"{summary}; all must pass{failure}");
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
