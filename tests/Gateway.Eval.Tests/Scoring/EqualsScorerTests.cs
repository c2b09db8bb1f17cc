using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class EqualsScorerTests
{
    [Theory]
    [InlineData("""{"type":"equals","value":"Paris"}""", "Paris", Outcome.Pass)]
    [InlineData("""{"type":"equals","value":"Paris"}""", "Paris.", Outcome.Fail)]
    [InlineData("""{"type":"equals","value":"Paris"}""", "paris", Outcome.Fail)]
    [InlineData("""{"type":"equals","value":"Paris"}""", " Paris", Outcome.Fail)]
    [InlineData("""{"type":"equals","value":42}""", "42", Outcome.Pass)]
    [InlineData("""{"type":"equals","value":true}""", "true", Outcome.Pass)]
    [InlineData("""{"type":"equals","value":{"a":1,"b":[1,2]}}""", """{ "b": [1, 2], "a": 1.0 }""", Outcome.Pass)]
    [InlineData("""{"type":"equals","value":{"a":1,"b":[1,2]}}""", """{"a":1,"b":[2,1]}""", Outcome.Fail)]
    [InlineData("""{"type":"equals","value":{"a":1}}""", """{"a":1,"extra":true}""", Outcome.Fail)]
    [InlineData("""{"type":"equals","value":{"a":1}}""", "a = 1", Outcome.Fail)]
    [InlineData("""{"type":"equals","value":[1,2]}""", "\n[1, 2]\n", Outcome.Pass)]
    [InlineData("""{"type":"not-equals","value":"Paris"}""", "Rome", Outcome.Pass)]
    [InlineData("""{"type":"equals"}""", "anything", Outcome.Error)]
    [InlineData("""{"type":"equals","value":null}""", "anything", Outcome.Error)]
    public async Task Equals_compares_exactly_or_as_json(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Fact]
    public async Task Without_a_value_equals_compares_with_the_expected_output() =>
        await AssertOutcomeAsync("""{"type":"equals"}""", Input("Paris") with { Expected = "Paris" }, Outcome.Pass);

    [Fact]
    public async Task The_reason_says_where_the_texts_diverge()
    {
        var result = await ScoreAsync("""{"type":"equals","value":"refund issued"}""", "refund denied");

        Assert.Contains("at character 7", result.Reason, StringComparison.Ordinal);
    }
}
