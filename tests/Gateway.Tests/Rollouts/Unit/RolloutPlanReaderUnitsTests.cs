using LlmGateway.Behaviour;
using LlmGateway.Contracts.Rollouts;
using LlmGateway.Errors;
using LlmGateway.Rollouts;

namespace LlmGateway.Tests.Rollouts.Unit;

/// <summary>
/// A weight step's <c>min_units</c>: the distinct users or sessions each arm needs, from 1 to 10,000,000, 20 when left
/// out. A shadow step pairs answers to the same requests and has none.
/// </summary>
public sealed class RolloutPlanReaderUnitsTests
{
    [Fact]
    public void A_weight_step_without_min_units_needs_twenty_per_arm_and_a_shadow_step_none()
    {
        var errors = new List<FieldError>();

        var plan = RolloutPlanReader.Read(Plan(new RolloutPlanStep { Shadow = true }, new RolloutPlanStep { Weight = 10 }), OnlineEvalPlan.Empty, errors);

        Assert.Empty(errors);
        Assert.Equal([0L, 20L], plan!.Steps.Select(s => s.MinUnitsPerArm));
    }

    [Fact]
    public void A_started_rollout_stores_the_default_and_a_running_plan_stored_without_it_is_not_held_to_it()
    {
        // The default applied to rollouts already running when the field came: every step of one whose traffic is one
        // key without users was held, then paused, and its plan could not be changed.
        var stored = RolloutPlanReader.WithStoredDefaults(Plan(new RolloutPlanStep { Shadow = true }, new RolloutPlanStep { Weight = 10 }, new RolloutPlanStep { Weight = 50, MinUnits = 3 }));
        var before = Plan(new RolloutPlanStep { Weight = 10 });

        Assert.Equal([null, 20L, 3L], stored.Steps!.Select(s => s.MinUnits));
        Assert.Equal([0L, 20L, 3L], RolloutPlanReader.Read(stored, OnlineEvalPlan.Empty, [], running: true)!.Steps.Select(s => s.MinUnitsPerArm));
        // 0, not 1: its step's samples were scored before any unit was counted, and an arm reading 0 units is not held.
        Assert.Equal([0L], RolloutPlanReader.Read(before, OnlineEvalPlan.Empty, [], running: true)!.Steps.Select(s => s.MinUnitsPerArm));
    }

    [Fact]
    public void A_steps_own_min_units_is_kept()
    {
        var plan = RolloutPlanReader.Read(Plan(new RolloutPlanStep { Weight = 10, MinUnits = 1 }, new RolloutPlanStep { Weight = 50, MinUnits = 500 }), OnlineEvalPlan.Empty, []);

        Assert.Equal([1L, 500L], plan!.Steps.Select(s => s.MinUnitsPerArm));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-3L)]
    [InlineData(10_000_001L)]
    public void A_min_units_out_of_range_is_refused_with_its_field(long minUnits)
    {
        var errors = new List<FieldError>();

        Assert.Null(RolloutPlanReader.Read(Plan(new RolloutPlanStep { Weight = 10, MinUnits = minUnits }), OnlineEvalPlan.Empty, errors));

        Assert.Equal("plan.steps[0].min_units", Assert.Single(errors).Field);
    }

    [Fact]
    public void A_shadow_step_with_min_units_is_refused()
    {
        var errors = new List<FieldError>();

        Assert.Null(RolloutPlanReader.Read(Plan(new RolloutPlanStep { Shadow = true, MinUnits = 5 }, new RolloutPlanStep { Weight = 10 }), OnlineEvalPlan.Empty, errors));

        Assert.Equal("plan.steps[0].min_units", Assert.Single(errors).Field);
    }

    private static RolloutPlan Plan(params RolloutPlanStep[] steps) => new()
    {
        Steps = steps,
        Metrics = [new RolloutMetricSpec { Metric = OnlineMetrics.Error, Direction = "lower", Threshold = 0.02 }],
    };
}
