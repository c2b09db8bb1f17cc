using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class StartsWithScorerTests
{
    [Theory]
    [InlineData("""{"type":"starts-with","value":"Dear"}""", "Dear customer,", Outcome.Pass)]
    [InlineData("""{"type":"starts-with","value":"Dear"}""", "dear customer,", Outcome.Fail)]
    [InlineData("""{"type":"starts-with","value":"Dear"}""", " Dear customer,", Outcome.Fail)]
    [InlineData("""{"type":"starts-with","value":"Dear"}""", "De", Outcome.Fail)]
    [InlineData("""{"type":"starts-with","value":"{"}""", """{"a":1}""", Outcome.Pass)]
    [InlineData("""{"type":"not-starts-with","value":"Sure"}""", "Here it is", Outcome.Pass)]
    [InlineData("""{"type":"not-starts-with","value":"Sure"}""", "Sure, here it is", Outcome.Fail)]
    [InlineData("""{"type":"starts-with","value":""}""", "x", Outcome.Error)]
    [InlineData("""{"type":"starts-with","value":[]}""", "x", Outcome.Error)]
    public async Task Starts_with_is_an_exact_prefix(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);
}
