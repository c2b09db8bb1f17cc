using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Eval.Scoring;
using LlmGateway.Sampling;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary>Three faults a review found: a limit given as the value, a padded judge type, IPA letters.</summary>
public sealed class PlanReviewFixesTests
{
    [Fact]
    public async Task A_limit_given_as_the_value_scores_like_one_given_as_the_threshold()
    {
        var plan = Read("""{"type":"latency","value":2000,"metric":"fast"}""");
        var sample = new SampleRecord
        {
            Id = "smp_1", RequestId = "r", Timestamp = DateTimeOffset.UnixEpoch, Reason = "rate", Model = "gpt-4o-mini", Provider = "mock", KeyId = "key_1",
            Endpoint = "/v1/chat/completions", Input = new SampleInput(), LatencyMs = 850,
            Response = new SampleResponse { Status = 200, Text = "fine", Complete = true, FinishReason = "stop" },
        };

        var observations = await new SampleScorer(ScorerRegistry.CreateDefault()).ScoreAsync(sample, plan, null, TestContext.Current.CancellationToken);

        var fast = Assert.Single(observations, o => o.Metric == "fast");
        Assert.Equal(1, fast.Value);
        Assert.True(fast.Pass);
    }

    [Fact]
    public void A_judge_type_with_spaces_around_it_still_needs_a_judge()
    {
        var errors = new List<FieldError>();
        var block = new PromptOnlineEval { Assert = [System.Text.Json.JsonDocument.Parse("""{"type":"llm-rubric ","value":"Polite?","metric":"polite"}""").RootElement] };
        Assert.Null(OnlineEvalPlan.Read(block, OnlineEvalFixtures.Catalog, errors));
        Assert.Equal("online_eval.judge", Assert.Single(errors).Field);
    }

    [Fact]
    public void A_judge_budget_past_a_million_usd_is_refused_at_push_rather_than_overflowing_later()
    {
        var errors = new List<FieldError>();
        var block = new PromptOnlineEval
        {
            Assert = [System.Text.Json.JsonDocument.Parse("""{"type":"llm-rubric","value":"Polite?","metric":"polite"}""").RootElement],
            Judge = new PromptOnlineJudge { Model = OnlineEvalFixtures.JudgeModel, DailyBudgetUsd = 1e10m },
        };
        Assert.Null(OnlineEvalPlan.Read(block, OnlineEvalFixtures.Catalog, errors));
        Assert.Equal("online_eval.judge.daily_budget_usd", Assert.Single(errors).Field);
    }

    [Fact]
    public void Ipa_letters_are_latin()
    {
        var messages = System.Text.Json.Nodes.JsonNode.Parse("""[{"role":"user","content":"əɛɔ ab"}]""");
        Assert.False(InputFeatures.MostlyNonLatin(messages, null));
    }

    private static OnlineEvalPlan Read(string assertion)
    {
        var errors = new List<FieldError>();
        var block = new PromptOnlineEval { Assert = [System.Text.Json.JsonDocument.Parse(assertion).RootElement] };
        var plan = OnlineEvalPlan.Read(block, OnlineEvalFixtures.Catalog, errors);
        Assert.Empty(errors);
        return Assert.IsType<OnlineEvalPlan>(plan);
    }
}
