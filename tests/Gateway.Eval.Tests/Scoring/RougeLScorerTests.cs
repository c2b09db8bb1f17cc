using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class RougeLScorerTests
{
    [Theory]
    [InlineData("""{"type":"rouge-l","value":"The cat sat on the mat."}""", "the cat sat on the mat", Outcome.Pass)]
    [InlineData("""{"type":"rouge-l","value":"The cat sat on the mat."}""", "THE CAT, SAT; ON THE MAT!", Outcome.Pass)]
    [InlineData("""{"type":"rouge-l","value":"The cat sat on the mat."}""", "A dog ran in the park.", Outcome.Fail)]
    [InlineData("""{"type":"rouge-l","value":"the cat was under the bed"}""", "the cat was found under the bed", Outcome.Pass)]
    [InlineData("""{"type":"rouge-l","value":"the cat was under the bed","threshold":0.95}""", "the cat was found under the bed", Outcome.Fail)]
    [InlineData("""{"type":"rouge-l","value":"refund approved"}""", "", Outcome.Fail)]
    [InlineData("""{"type":"not-rouge-l","value":"refund approved"}""", "the weather is nice", Outcome.Pass)]
    [InlineData("""{"type":"rouge-l","value":"x","threshold":2}""", "x", Outcome.Error)]
    [InlineData("""{"type":"rouge-l","value":["x"]}""", "x", Outcome.Error)]
    public async Task Rouge_l_compares_token_subsequences(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Fact]
    public void F1_matches_a_hand_computed_example() =>
        // LCS "the cat was under the bed" = 6 tokens; precision 6/7, recall 6/6, F1 = 12/13.
        Assert.Equal(12.0 / 13, RougeLScorer.F1("the cat was found under the bed", "the cat was under the bed"), 12);

    [Fact]
    public void Tokens_are_lower_cased_letter_and_digit_runs() =>
        Assert.Equal(["don", "t", "stop", "v2", "café"], RougeLScorer.Tokenize("Don't STOP—v2... Café!"));
}
