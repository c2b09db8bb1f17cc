using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class LevenshteinScorerTests
{
    [Theory]
    [InlineData("""{"type":"levenshtein","value":"kitten"}""", "sitting", Outcome.Pass)]
    [InlineData("""{"type":"levenshtein","value":"kitten","threshold":2}""", "sitting", Outcome.Fail)]
    [InlineData("""{"type":"levenshtein","value":"kitten","threshold":3}""", "sitting", Outcome.Pass)]
    [InlineData("""{"type":"levenshtein","value":"kitten","threshold":0}""", "kitten", Outcome.Pass)]
    [InlineData("""{"type":"levenshtein","value":"abcdefghij"}""", "", Outcome.Fail)]
    [InlineData("""{"type":"not-levenshtein","value":"approved"}""", "rejected", Outcome.Pass)]
    [InlineData("""{"type":"levenshtein","value":"kitten","threshold":-1}""", "kitten", Outcome.Error)]
    [InlineData("""{"type":"levenshtein","value":{"a":1}}""", "kitten", Outcome.Error)]
    [InlineData("""{"type":"levenshtein"}""", "kitten", Outcome.Error)]
    public async Task Levenshtein_passes_within_the_max_edit_distance(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Fact]
    public async Task The_score_is_one_minus_distance_over_the_longer_length()
    {
        var result = await ScoreAsync("""{"type":"levenshtein","value":"kitten"}""", "sitting");

        Assert.Equal(1 - (3.0 / 7), result.Score, 9);
    }

    [Fact]
    public async Task Without_a_value_the_expected_output_is_the_reference() =>
        await AssertOutcomeAsync("""{"type":"levenshtein","threshold":1}""", Input("colour") with { Expected = "color" }, Outcome.Pass);

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("gumbo", "gambol", 2)]
    [InlineData("saturday", "sunday", 3)]
    public void Distance_matches_known_pairs(string a, string b, int distance) =>
        Assert.Equal(distance, LevenshteinScorer.Distance(a, b));
}
