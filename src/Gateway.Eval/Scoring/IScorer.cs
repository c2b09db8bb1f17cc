namespace LlmGateway.Eval.Scoring;

/// <summary>
/// Scores one assertion against one case's output. Implementations are stateless with respect to cases and safe to
/// call concurrently. They report problems with the assertion (a bad value, an invalid regex) as
/// <see cref="ScoreResult.Errored"/> rather than throwing; the registry turns any exception that escapes into an error too.
/// </summary>
public interface IScorer
{
    /// <summary>The assertion type this scorer handles, e.g. <c>contains</c>, without any <c>not-</c> prefix.</summary>
    string Name { get; }

    /// <summary>Scores <paramref name="input"/> against <paramref name="assertion"/>, whose value has already had its vars substituted.</summary>
    ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken);
}
