using LlmGateway.Eval.Scoring;
using static LlmGateway.Eval.Tests.Scoring.ScoringTestKit;

namespace LlmGateway.Eval.Tests.Scoring;

public sealed class LlmRubricScorerTests
{
    private const string Rubric = """{"type":"llm-rubric","value":"is polite and offers a refund"}""";

    [Theory]
    [InlineData("""{"pass":true,"score":0.9,"reason":"polite, offers refund"}""", Outcome.Pass)]
    [InlineData("""{"pass":false,"score":0.2,"reason":"no refund offered"}""", Outcome.Fail)]
    [InlineData("  \n{\"pass\": true, \"score\": 1, \"reason\": \"ok\"}\n", Outcome.Pass)]
    [InlineData("```json\n{\"pass\": true, \"score\": 1, \"reason\": \"ok\"}\n```", Outcome.Pass)]
    [InlineData("```JSON\n{\"pass\": false, \"score\": 0, \"reason\": \"no\"}\n```", Outcome.Fail)]
    [InlineData("```\n{\"pass\": true, \"score\": 1, \"reason\": \"ok\"}\n```", Outcome.Pass)]
    [InlineData("""{"pass":true,"score":1,"reason":"ok","confidence":"high"}""", Outcome.Pass)]
    [InlineData("The response is polite. PASS", Outcome.Error)]
    [InlineData("Sure! ```json\n{\"pass\": true, \"score\": 1, \"reason\": \"ok\"}\n```", Outcome.Error)]
    [InlineData("```json\n{\"pass\": true, \"score\": 1, \"reason\": \"ok\"}\n``` Hope that helps!", Outcome.Error)]
    [InlineData("```json\n{\"pass\": true, \"score\": 1, \"reason\": \"ok\"}", Outcome.Error)]
    [InlineData("""{"pass":true,"score":1,"reason":"ok"} Hope that helps!""", Outcome.Error)]
    [InlineData("""{"pass":true,"score":1.5,"reason":"great"}""", Outcome.Error)]
    [InlineData("""{"pass":true,"score":-0.1,"reason":"odd"}""", Outcome.Error)]
    [InlineData("""{"pass":true,"score":"0.9","reason":"ok"}""", Outcome.Error)]
    [InlineData("""{"pass":"yes","score":1,"reason":"ok"}""", Outcome.Error)]
    [InlineData("""{"pass":true,"score":1}""", Outcome.Error)]
    [InlineData("""{"pass":true,"reason":"ok"}""", Outcome.Error)]
    [InlineData("""{"pass":true,"score":1,"reason":null}""", Outcome.Error)]
    [InlineData("""{"pass":true,"score":1,"reason":"ok","pass":false}""", Outcome.Error)]
    [InlineData("""[{"pass":true,"score":1,"reason":"ok"}]""", Outcome.Error)]
    [InlineData("""{pass: true, score: 1, reason: "ok"}""", Outcome.Error)]
    [InlineData("", Outcome.Error)]
    public async Task The_judge_reply_is_parsed_strictly(string reply, Outcome expected)
    {
        var registry = ScorerRegistry.CreateDefault(judge: new FakeLlmJudge(reply));

        var result = await AssertOutcomeAsync(Rubric, "We're sorry! A refund is on its way.", expected, registry);

        if (expected == Outcome.Error)
        {
            Assert.StartsWith("judge reply unparseable", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_passing_verdict_carries_the_judges_score_and_reason()
    {
        var registry = ScorerRegistry.CreateDefault(judge: new FakeLlmJudge("""{"pass":true,"score":0.9,"reason":"polite, offers refund"}"""));

        var result = await ScoreAsync(Rubric, "x", registry);

        Assert.Equal(0.9, result.Score);
        Assert.Contains("polite, offers refund", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.8, Outcome.Fail)]
    [InlineData(0.6, Outcome.Pass)]
    public async Task A_threshold_also_requires_the_judges_score_to_reach_it(double threshold, Outcome expected)
    {
        var registry = ScorerRegistry.CreateDefault(judge: new FakeLlmJudge("""{"pass":true,"score":0.7,"reason":"mostly"}"""));

        await AssertOutcomeAsync(
            $$"""{"type":"llm-rubric","value":"be nice","threshold":{{threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""",
            "x",
            expected,
            registry);
    }

    [Theory]
    [InlineData(typeof(HttpRequestException))]
    [InlineData(typeof(TaskCanceledException))]
    [InlineData(typeof(InvalidOperationException))]
    public async Task A_judge_that_throws_is_an_error(Type exceptionType)
    {
        var exception = (Exception)Activator.CreateInstance(exceptionType, "judge unavailable")!;
        var registry = ScorerRegistry.CreateDefault(judge: new FakeLlmJudge(null, exception));

        var result = await AssertOutcomeAsync(Rubric, "x", Outcome.Error, registry);

        Assert.Contains("judge failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("judge unavailable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_reply_is_an_error() =>
        await AssertOutcomeAsync(Rubric, "x", Outcome.Error, ScorerRegistry.CreateDefault(judge: new FakeLlmJudge(null)));

    [Theory]
    [InlineData("""{"type":"llm-rubric"}""")]
    [InlineData("""{"type":"llm-rubric","value":"  "}""")]
    [InlineData("""{"type":"llm-rubric","value":"be nice","threshold":2}""")]
    public async Task A_missing_rubric_or_bad_threshold_is_an_error_without_calling_the_judge(string json)
    {
        var judge = new FakeLlmJudge("""{"pass":true,"score":1,"reason":"ok"}""");

        await AssertOutcomeAsync(json, "x", Outcome.Error, ScorerRegistry.CreateDefault(judge: judge));

        Assert.Empty(judge.Calls);
    }

    [Fact]
    public async Task Without_a_judge_llm_rubric_is_an_error() =>
        await AssertOutcomeAsync(Rubric, "x", Outcome.Error);

    [Fact]
    public async Task The_judge_sees_the_rubric_with_vars_substituted_and_the_output()
    {
        var judge = new FakeLlmJudge("""{"pass":true,"score":1,"reason":"ok"}""");
        var input = Input("Hello Ada") with { Vars = Vars("""{"name":"Ada"}""") };

        await ScoreAsync("""{"type":"llm-rubric","value":"greets {{name}} by name"}""", input, ScorerRegistry.CreateDefault(judge: judge));

        Assert.Equal(("greets Ada by name", "Hello Ada"), judge.Calls.Single());
    }
}
