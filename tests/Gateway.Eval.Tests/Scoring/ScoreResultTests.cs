using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class ScoreResultTests
{
    [Fact]
    public void An_error_never_passes_and_scores_zero()
    {
        var result = ScoreResult.Errored("invalid regex");

        Assert.False(result.Pass);
        Assert.Equal(0, result.Score);
        Assert.True(result.IsError);
        Assert.Equal("invalid regex", result.Reason);
    }

    [Fact]
    public void Negating_an_error_keeps_it_an_error()
    {
        var negated = ScoreResult.Errored("judge failed").Negate();

        Assert.False(negated.Pass);
        Assert.Equal("judge failed", negated.Error);
    }

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 0.25)]
    [InlineData(true, 0.0)]
    public void Negation_flips_pass_and_complements_the_score(bool pass, double score)
    {
        var negated = ScoreResult.Of(pass, score, "because").Negate();

        Assert.Equal(!pass, negated.Pass);
        Assert.Equal(1 - score, negated.Score);
        Assert.Null(negated.Error);
        Assert.Contains("because", negated.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void A_score_outside_zero_to_one_is_a_bug_in_the_scorer(double score) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ScoreResult.Of(true, score, "x"));
}
