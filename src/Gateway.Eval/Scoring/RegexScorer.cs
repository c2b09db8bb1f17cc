using System.Text.RegularExpressions;

namespace LlmGateway.Eval.Scoring;

/// <summary>
/// <c>regex</c>: the output matches the value, a .NET regular expression. The pattern comes from a dataset or a plan and
/// the input from a model a client can steer: matching runs on the non-backtracking engine (linear time), and a pattern
/// only the backtracking one can run has a timeout, so neither hangs a run nor an evaluator.
/// </summary>
internal sealed class RegexScorer(TimeSpan timeout) : IScorer
{
    /// <summary>Generous for any sane pattern on a model output, short enough not to stall a run.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    private const int MaxRemembered = 1024;

    // Patterns the non-backtracking engine refused (backreferences, lookarounds).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> BacktrackingOnly = new(StringComparer.Ordinal);

    public string Name => "regex";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken)
    {
        if (!AssertionValue.TryGetText(assertion.Value, out var pattern) || pattern.Length == 0)
        {
            return ValueTask.FromResult(ScoreResult.Errored("regex needs a non-empty pattern string"));
        }

        ScoreResult result;
        try
        {
            // The static API keeps a cache of parsed patterns, so a dataset's few patterns are parsed once. The engine
            // that cannot backtrack takes time linear in the output whatever the pattern; the few patterns it cannot run
            // (backreferences, lookarounds, atomic groups) fall back to the backtracking one, under the timeout.
            Match match;
            if (BacktrackingOnly.ContainsKey(pattern))
            {
                match = Regex.Match(input.Output, pattern, RegexOptions.CultureInvariant, timeout);
            }
            else
            {
                try
                {
                    match = Regex.Match(input.Output, pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, timeout);
                }
                catch (NotSupportedException)
                {
                    // Remembered (a construction that fails is not cached by the Regex class: it would be tried, and
                    // thrown, for every answer), up to a bound: a dataset's or a plan's few patterns.
                    if (BacktrackingOnly.Count < MaxRemembered)
                    {
                        BacktrackingOnly.TryAdd(pattern, true);
                    }

                    match = Regex.Match(input.Output, pattern, RegexOptions.CultureInvariant, timeout);
                }
            }

            result = match.Success
                ? ScoreResult.Passed($"output matches /{pattern}/ at {match.Index}: {AssertionValue.Quote(match.Value)}")
                : ScoreResult.Failed($"output does not match /{pattern}/");
        }
        catch (RegexParseException ex)
        {
            result = ScoreResult.Errored($"invalid regex /{pattern}/: {ex.Error} at offset {ex.Offset}");
        }
        catch (RegexMatchTimeoutException)
        {
            result = ScoreResult.Errored($"regex /{pattern}/ timed out after {timeout.TotalMilliseconds} ms");
        }

        return ValueTask.FromResult(result);
    }
}
