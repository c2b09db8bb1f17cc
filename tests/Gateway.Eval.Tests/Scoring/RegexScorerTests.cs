using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class RegexScorerTests
{
    [Theory]
    [InlineData("""{"type":"regex","value":"^\\d{3}-\\d{4}$"}""", "555-1234", Outcome.Pass)]
    [InlineData("""{"type":"regex","value":"^\\d{3}-\\d{4}$"}""", "call 555-1234", Outcome.Fail)]
    [InlineData("""{"type":"regex","value":"(?i)order #\\w+"}""", "ORDER #A17 shipped", Outcome.Pass)]
    [InlineData("""{"type":"regex","value":"refund"}""", "no money back", Outcome.Fail)]
    [InlineData("""{"type":"not-regex","value":"\\b\\d{3}-\\d{2}-\\d{4}\\b"}""", "no ssn here", Outcome.Pass)]
    [InlineData("""{"type":"not-regex","value":"\\b\\d{3}-\\d{2}-\\d{4}\\b"}""", "ssn 123-45-6789", Outcome.Fail)]
    [InlineData("""{"type":"regex","value":"(unclosed"}""", "x", Outcome.Error)]
    [InlineData("""{"type":"regex","value":"[a-"}""", "x", Outcome.Error)]
    [InlineData("""{"type":"regex","value":""}""", "x", Outcome.Error)]
    [InlineData("""{"type":"regex"}""", "x", Outcome.Error)]
    public async Task Regex_matches_with_dotnet_syntax(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);

    [Fact]
    public async Task An_invalid_pattern_says_what_is_wrong()
    {
        var result = await ScoreAsync("""{"type":"regex","value":"(unclosed"}""", "x");

        Assert.StartsWith("invalid regex /(unclosed/", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catastrophic_backtracking_times_out_as_an_error_rather_than_hanging_the_run()
    {
        var registry = new ScorerRegistry([new RegexScorer(TimeSpan.FromMilliseconds(20))]);

        var result = await AssertOutcomeAsync(
            """{"type":"regex","value":"^(a|aa)+$"}""", new string('a', 60) + "b", Outcome.Error, registry);

        Assert.Contains("timed out", result.Error, StringComparison.Ordinal);
    }
}
