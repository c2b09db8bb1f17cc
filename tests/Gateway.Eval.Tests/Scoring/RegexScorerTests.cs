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
    public async Task A_catastrophic_backtracking_pattern_is_matched_in_linear_time_and_fails_rather_than_timing_out()
    {
        // The non-backtracking engine: a second per assertion, per sample, spent in the evaluator before.
        var registry = new ScorerRegistry([new RegexScorer(TimeSpan.FromMilliseconds(20))]);

        await AssertOutcomeAsync("""{"type":"regex","value":"^(a|aa)+$"}""", new string('a', 60) + "b", Outcome.Fail, registry);
        await AssertOutcomeAsync("""{"type":"regex","value":"^(a|aa)+$"}""", new string('a', 60), Outcome.Pass, registry);
    }

    [Fact]
    public async Task A_pattern_only_the_backtracking_engine_runs_still_times_out_as_an_error_rather_than_hanging_the_run()
    {
        // A backreference: the backtracking engine, under the timeout.
        var registry = new ScorerRegistry([new RegexScorer(TimeSpan.FromMilliseconds(20))]);

        var result = await AssertOutcomeAsync(
            """{"type":"regex","value":"^(a|aa)+\\1$"}""", new string('a', 60) + "b", Outcome.Error, registry);

        Assert.Contains("timed out", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"regex","value":"(?<=order )#\\d+"}""", "order #17", Outcome.Pass)]
    [InlineData("""{"type":"regex","value":"(\\w)\\1"}""", "bookkeeper", Outcome.Pass)]
    [InlineData("""{"type":"regex","value":"(\\w)\\1"}""", "abc", Outcome.Fail)]
    public async Task Lookarounds_and_backreferences_still_match(string json, string output, Outcome expected) =>
        await AssertOutcomeAsync(json, output, expected);
}
