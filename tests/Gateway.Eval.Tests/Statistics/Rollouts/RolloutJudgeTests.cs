using LlmGateway.Eval.Statistics.ChangePoints;
using LlmGateway.Eval.Statistics.Rollouts;
using static LlmGateway.Eval.Tests.Statistics.Rollouts.RolloutComparisonTests;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

public sealed class RolloutJudgeTests
{
    private static readonly RolloutOptions Options = RolloutOptions.Default;
    private static readonly RolloutPlanStep Step = new(2500, TimeSpan.FromMinutes(5), 1000);
    private static readonly IReadOnlyList<RolloutMetric> Metrics = RolloutDefaults.Metrics;

    [Fact]
    public void The_error_rate_is_split_across_metrics_and_steps()
    {
        Assert.Equal(0.05 / 15, RolloutJudge.MetricAlpha(Options, 5, 3), 15);

        var decision = RolloutJudge.Decide(State(0, 3, 60), Step, Metrics, Readings(), Options);
        Assert.All(decision.Verdicts, v => Assert.Equal(1 - (2 * 0.05 / 15), v.Confidence, 12));
    }

    [Fact]
    public void A_harmful_abort_capable_metric_aborts_at_any_look_even_before_the_minimums()
    {
        var readings = Readings(canaryErrors: 0.10, count: 3000);

        var decision = RolloutJudge.Decide(State(0, 3, 10), Step, Metrics, readings, Options);

        Assert.Equal(RolloutAction.Abort, decision.Action);
        Assert.Equal(RolloutDecisionReason.Harmful, decision.Reason);
        Assert.Equal(RolloutDefaults.ErrorRate, decision.Metric);
        Assert.Equal(Metrics.Select(m => m.Name), decision.Verdicts.Select(v => v.Metric));
    }

    [Fact]
    public void The_abort_names_the_metric_furthest_past_its_boundary()
    {
        var readings = Readings(canaryErrors: 0.06, canaryRefusals: 0.40, count: 3000);

        var decision = RolloutJudge.Decide(State(0, 3, 600), Step, Metrics, readings, Options);

        Assert.Equal(RolloutAction.Abort, decision.Action);
        Assert.Equal(RolloutDefaults.RefusalRate, decision.Metric);
    }

    [Fact]
    public void A_harmful_pause_only_metric_pauses()
    {
        var readings = Readings(canaryLatency: 2000, count: 3000);

        var decision = RolloutJudge.Decide(State(0, 3, 60), Step, Metrics, readings, Options);

        Assert.Equal(RolloutAction.Pause, decision.Action);
        Assert.Equal(RolloutDecisionReason.HarmfulPauseOnly, decision.Reason);
        Assert.Equal(RolloutDefaults.LatencyMs, decision.Metric);
    }

    [Fact]
    public void All_acceptable_waits_for_the_minimum_duration_then_advances_and_promotes_after_the_last_step()
    {
        var readings = Readings(count: 20000);

        var early = RolloutJudge.Decide(State(0, 3, 240), Step, Metrics, readings, Options);
        var advance = RolloutJudge.Decide(State(0, 3, 300), Step, Metrics, readings, Options);
        var promote = RolloutJudge.Decide(State(2, 3, 300), Step, Metrics, readings, Options);

        Assert.All(early.Verdicts, v => Assert.Equal(RolloutVerdict.Acceptable, v.Verdict));
        Assert.Equal(RolloutAction.Continue, early.Action);
        Assert.Equal(RolloutDecisionReason.CollectingMinimum, early.Reason);
        Assert.Equal(RolloutAction.Advance, advance.Action);
        Assert.Equal(RolloutDecisionReason.AllAcceptable, advance.Reason);
        Assert.Null(advance.Metric);
        Assert.Equal(RolloutAction.Promote, promote.Action);
    }

    [Fact]
    public void All_acceptable_waits_for_the_minimum_samples_per_arm()
    {
        var step = Step with { MinSamplesPerArm = 50000 };

        var decision = RolloutJudge.Decide(State(0, 3, 600), step, Metrics, Readings(count: 20000), Options);

        Assert.Equal(RolloutAction.Continue, decision.Action);
        Assert.Equal(RolloutDecisionReason.CollectingMinimum, decision.Reason);
    }

    [Fact]
    public void Undecided_at_the_maximum_duration_follows_on_inconclusive()
    {
        // 200 readings per arm: enough for the minimums of this step, too few to establish a 2-point error margin.
        var step = Step with { MinSamplesPerArm = 100 };
        var readings = Readings(count: 200);

        var before = RolloutJudge.Decide(State(0, 3, 899), step, Metrics, readings, Options);
        var paused = RolloutJudge.Decide(State(0, 3, 900), step, Metrics, readings, Options);
        var continued = RolloutJudge.Decide(State(0, 3, 900), step, Metrics, readings, Options with { OnInconclusive = RolloutInconclusivePolicy.Continue });
        var promoted = RolloutJudge.Decide(State(2, 3, 900), step, Metrics, readings, Options with { OnInconclusive = RolloutInconclusivePolicy.Continue });

        Assert.Equal(TimeSpan.FromMinutes(15), step.EffectiveMaxDuration);
        Assert.Equal(RolloutAction.Continue, before.Action);
        Assert.Equal(RolloutDecisionReason.AwaitingEvidence, before.Reason);
        Assert.Equal(RolloutAction.Pause, paused.Action);
        Assert.Equal(RolloutDecisionReason.MaxDurationInconclusive, paused.Reason);
        Assert.Equal(RolloutDefaults.ErrorRate, paused.Metric);
        Assert.Equal(RolloutAction.Advance, continued.Action);
        Assert.Equal(RolloutDecisionReason.MaxDurationInconclusive, continued.Reason);
        Assert.Equal(RolloutAction.Promote, promoted.Action);
    }

    [Fact]
    public void A_metric_without_readings_is_inconclusive()
    {
        var readings = new Dictionary<string, (ArmMoments Stable, ArmMoments Canary)>(Readings(count: 20000));
        readings.Remove(RolloutDefaults.CostUsd);

        var decision = RolloutJudge.Decide(State(0, 3, 600), Step with { MinSamplesPerArm = 0 }, Metrics, readings, Options);

        Assert.Equal(RolloutAction.Continue, decision.Action);
        var cost = decision.Verdicts.Single(v => v.Metric == RolloutDefaults.CostUsd);
        Assert.Equal(RolloutVerdict.Inconclusive, cost.Verdict);
        Assert.Equal(0, cost.CanaryCount);
    }

    [Fact]
    public void A_shadow_step_is_judged_on_paired_readings()
    {
        var shadow = new RolloutPlanStep(0, TimeSpan.FromMinutes(5), 1000);
        var pairs = Metrics.ToDictionary(
            m => m.Name,
            m => m.Name == RolloutDefaults.ErrorRate
                ? PairedMoments.Of(Enumerable.Range(0, 4000).Select(i => (i % 50 == 0 ? 1.0 : 0.0, i % 10 == 0 ? 1.0 : 0.0)))
                : PairedMoments.Of(Enumerable.Range(0, 4000).Select(i => ((double)(i % 7) + 1, (double)(i % 7) + 1))));

        var decision = RolloutJudge.Decide(State(0, 4, 30), shadow, Metrics, pairs, Options);

        Assert.True(shadow.IsShadow);
        Assert.Equal(RolloutAction.Abort, decision.Action);
        Assert.Equal(RolloutDefaults.ErrorRate, decision.Metric);
        Assert.All(decision.Verdicts, v => Assert.True(v.Paired));
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var readings = Readings();
        Assert.Throws<ArgumentException>(() => RolloutJudge.Decide(State(0, 3, 0), Step, [], readings, Options));
        Assert.Throws<ArgumentException>(() => RolloutJudge.Decide(State(0, 3, 0), Step, [Metrics[0], Metrics[0]], readings, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutJudge.Decide(State(3, 3, 0), Step, Metrics, readings, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutJudge.Decide(State(0, 3, 0), Step with { WeightBps = 10000 }, Metrics, readings, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutJudge.Decide(State(0, 3, 0), Step with { MaxDuration = TimeSpan.FromMinutes(1) }, Metrics, readings, Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RolloutJudge.Decide(State(0, 3, 0), Step, Metrics, readings, Options with { Alpha = 0 }));
    }

    [Fact]
    public void The_default_plan_and_metrics_are_valid()
    {
        Assert.All(RolloutDefaults.Plan, step => step.Validate());
        Assert.All(RolloutDefaults.Metrics, metric => metric.Validate());
        RolloutDefaults.ShadowStep.Validate();
        Assert.True(RolloutDefaults.ShadowStep.IsShadow);
        Assert.Equal([500, 2500, 5000], RolloutDefaults.Plan.Select(s => s.WeightBps));
        Assert.Equal(MetricScale.Rate, RolloutDefaults.Metrics[0].Scale);
    }

    private static RolloutStepState State(int step, int steps, int seconds) => new(step, steps, TimeSpan.FromSeconds(seconds));

    /// <summary>Readings of the five default metrics, stable at its baseline and the canary as given, <paramref name="count"/> per arm.</summary>
    private static Dictionary<string, (ArmMoments Stable, ArmMoments Canary)> Readings(
        double canaryErrors = 0.02, double canaryRefusals = 0.05, double canaryLatency = 1300, long count = 2000) => new()
        {
            [RolloutDefaults.ErrorRate] = (Rate(count, (long)(count * 0.02)), Rate(count, (long)Math.Round(count * canaryErrors))),
            [RolloutDefaults.RefusalRate] = (Rate(count, (long)(count * 0.05)), Rate(count, (long)Math.Round(count * canaryRefusals))),
            [RolloutDefaults.CostUsd] = (Values(count, 0.002, 0.0018), Values(count, 0.002, 0.0018)),
            [RolloutDefaults.OutputTokens] = (Values(count, 150, 135), Values(count, 150, 135)),
            [RolloutDefaults.LatencyMs] = (Values(count, 1300, 690), Values(count, canaryLatency, canaryLatency * 0.53)),
        };
}
