using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

/// <summary>A scorer with a bug, to show the registry contains the damage.</summary>
internal sealed class ThrowingScorer : IScorer
{
    public string Name => "explodes";

    public ValueTask<ScoreResult> ScoreAsync(AssertionSpec assertion, ScoringInput input, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("boom");
}
