using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class LimitScorerTests
{
    [Theory]
    [InlineData("""{"type":"latency","threshold":1000}""", 800.0, null, null, Outcome.Pass)]
    [InlineData("""{"type":"latency","threshold":1000}""", 1000.0, null, null, Outcome.Pass)]
    [InlineData("""{"type":"latency","threshold":1000}""", 1000.5, null, null, Outcome.Fail)]
    [InlineData("""{"type":"not-latency","threshold":1000}""", 1500.0, null, null, Outcome.Pass)]
    [InlineData("""{"type":"latency","threshold":1000}""", null, null, null, Outcome.Error)]
    [InlineData("""{"type":"latency","threshold":1000}""", double.NaN, null, null, Outcome.Error)]
    [InlineData("""{"type":"latency"}""", 800.0, null, null, Outcome.Error)]
    [InlineData("""{"type":"latency","threshold":-1}""", 800.0, null, null, Outcome.Error)]
    [InlineData("""{"type":"cost","threshold":0.01}""", null, 0.004, null, Outcome.Pass)]
    [InlineData("""{"type":"cost","threshold":0.01}""", null, 0.01, null, Outcome.Pass)]
    [InlineData("""{"type":"cost","threshold":0.01}""", null, 0.0101, null, Outcome.Fail)]
    [InlineData("""{"type":"cost","threshold":0.01}""", null, null, null, Outcome.Error)]
    [InlineData("""{"type":"not-cost","threshold":0.01}""", null, null, null, Outcome.Error)]
    [InlineData("""{"type":"cost"}""", null, 0.001, null, Outcome.Error)]
    [InlineData("""{"type":"output-tokens","threshold":100}""", null, null, 100, Outcome.Pass)]
    [InlineData("""{"type":"output-tokens","threshold":100}""", null, null, 101, Outcome.Fail)]
    [InlineData("""{"type":"output-tokens","threshold":100}""", null, null, null, Outcome.Error)]
    public async Task Budgets_pass_at_or_under_the_threshold_and_error_when_unmeasured(
        string json, double? latencyMs, double? costUsd, int? outputTokens, Outcome expected)
    {
        var input = new ScoringInput
        {
            Output = "ok",
            LatencyMs = latencyMs,
            CostUsd = costUsd is { } cost ? (decimal)cost : null,
            OutputTokens = outputTokens,
        };

        await AssertOutcomeAsync(json, input, expected);
    }

    [Fact]
    public async Task A_missing_cost_says_the_budget_cannot_be_checked()
    {
        var result = await ScoreAsync("""{"type":"cost","threshold":0.01}""", "ok");

        Assert.Contains("cannot be checked", result.Error, StringComparison.Ordinal);
    }
}
