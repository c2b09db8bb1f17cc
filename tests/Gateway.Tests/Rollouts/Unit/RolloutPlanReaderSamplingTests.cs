using LlmGateway.Behaviour;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Rollouts;

namespace LlmGateway.Tests.Rollouts.Unit;

/// <summary>
/// A plan's <c>sampling</c>: each arm's rate while the rollout runs, greater than 0 and at most 1, and 1 when left out
/// (every request a reading, as the default plan is calibrated).
/// </summary>
public sealed class RolloutPlanReaderSamplingTests
{
    [Theory]
    [InlineData(0.0, null, "plan.sampling.stable")]
    [InlineData(1.5, null, "plan.sampling.stable")]
    [InlineData(-0.1, null, "plan.sampling.stable")]
    [InlineData(null, 0.0, "plan.sampling.canary")]
    [InlineData(null, 1.5, "plan.sampling.canary")]
    [InlineData(null, -0.5, "plan.sampling.canary")]
    public void A_rate_out_of_range_is_refused_with_its_field(double? stable, double? canary, string field)
    {
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(new RolloutSampling { Stable = stable, Canary = canary }), OnlineEvalPlan.Empty, errors);

        Assert.Null(plan);
        Assert.Equal(field, Assert.Single(errors).Field);
    }

    [Fact]
    public void A_bundles_rollout_block_names_its_own_field()
    {
        var errors = new List<FieldError>();

        RolloutPlanReader.Read(Plan(new RolloutSampling { Canary = 2 }), OnlineEvalPlan.Empty, errors, "rollout");

        Assert.Equal("rollout.sampling.canary", Assert.Single(errors).Field);
    }

    [Fact]
    public void Without_sampling_both_arms_are_sampled_at_every_request()
    {
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(null), OnlineEvalPlan.Empty, errors);

        Assert.Empty(errors);
        Assert.Equal((1.0, 1.0), (plan!.Sampling.Stable, plan.Sampling.Canary));
    }

    [Fact]
    public void The_default_plan_samples_both_arms_at_every_request()
    {
        var plan = RolloutPlanReader.Read(RolloutPlanReader.Default, OnlineEvalPlan.Empty, []);

        Assert.Equal((1.0, 1.0), (plan!.Sampling.Stable, plan.Sampling.Canary));
    }

    [Fact]
    public void An_arm_left_out_is_sampled_at_every_request_and_the_other_at_its_rate()
    {
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(new RolloutSampling { Stable = 0.05 }), OnlineEvalPlan.Empty, errors);

        Assert.Empty(errors);
        Assert.Equal((0.05, 1.0), (plan!.Sampling.Stable, plan.Sampling.Canary));
    }

    private static RolloutPlan Plan(RolloutSampling? sampling) => new()
    {
        Steps = [new RolloutPlanStep { Weight = 10 }],
        Metrics = [new RolloutMetricSpec { Metric = OnlineMetrics.Error, Threshold = 0.02 }],
        Sampling = sampling,
    };
}
