using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Rollouts;
using LlmGateway.Tests.Behaviour.Unit;

namespace LlmGateway.Tests.Rollouts.Unit;

/// <summary>
/// A judge's score compared relatively is read on the log of the arms' ratio, undefined once the canary scores 0: the
/// worst candidate there is would never be found harmful. Such a threshold is refused; one in score units is not.
/// </summary>
public sealed class RolloutPlanReaderScoreTests
{
    private static readonly LlmGateway.Behaviour.OnlineEvalPlan Candidate = OnlineEvalFixtures.Plan(
        """[{"type":"llm-rubric","value":"Is the answer polite?","metric":"polite"}]""", OnlineEvalFixtures.Judge);

    [Fact]
    public void A_relative_threshold_on_a_judge_score_is_refused_with_its_field()
    {
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(relative: true), Candidate, errors);

        Assert.Null(plan);
        var error = Assert.Single(errors);
        Assert.Equal("plan.metrics[0].relative", error.Field);
    }

    [Fact]
    public void An_absolute_threshold_on_a_judge_score_is_read()
    {
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(relative: false), Candidate, errors);

        Assert.Empty(errors);
        Assert.Equal("polite.score", Assert.Single(plan!.Metrics).Metric);
    }

    [Fact]
    public void A_running_rollouts_stored_plan_with_a_relative_score_threshold_is_still_read()
    {
        // Refused at push and start since; a rollout started before that is not stopped by a deploy.
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(relative: true), Candidate, errors, running: true);

        Assert.Empty(errors);
        Assert.True(Assert.Single(plan!.Metrics).Relative);
    }

    private static RolloutPlan Plan(bool relative) => new()
    {
        Steps = [new RolloutPlanStep { Weight = 10 }],
        Metrics = [new RolloutMetricSpec { Metric = "polite.score", Threshold = 0.1, Relative = relative }],
    };
}
