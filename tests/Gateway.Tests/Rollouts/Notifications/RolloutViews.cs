using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>A rollout of <c>summarize</c> v3 over v2 at step 2 of 4 (25%), with an evaluation.</summary>
internal static class RolloutViews
{
    public static readonly DateTimeOffset At = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static RolloutView Running(string environment = "production") => new()
    {
        Prompt = "summarize",
        Environment = environment,
        Candidate = 3,
        Baseline = 2,
        Status = "running",
        Step = 1,
        Weight = 25,
        StepStartedAt = At,
        StartedAt = At.AddHours(-1),
        StartedBy = "alice",
        Plan = new RolloutPlan { Steps = [new RolloutPlanStep { Weight = 5 }, new RolloutPlanStep { Weight = 25 }, new RolloutPlanStep { Weight = 50 }, new RolloutPlanStep { Weight = 100 }] },
        LastEvaluation = new RolloutEvaluation
        {
            At = At,
            Decision = "advance",
            Reason = "every metric is within its threshold",
            Metrics =
            [
                new RolloutMetricVerdict
                {
                    Metric = "error",
                    Stable = new RolloutArmReading { Count = 400, Mean = 0.01 },
                    Canary = new RolloutArmReading { Count = 380, Mean = 0.012 },
                    Difference = 0.002,
                    CiLow = -0.01,
                    CiHigh = 0.014,
                    Threshold = 0.02,
                    Verdict = "acceptable",
                },
            ],
        },
        Revision = 7,
        UpdatedAt = At,
    };

    public static RolloutView Aborted(string environment = "production") => Running(environment) with
    {
        Status = "aborted",
        StatusReason = "error is worse than its threshold (anytime-valid interval entirely past it)",
    };

    public static RolloutView Paused(string environment = "production") => Running(environment) with
    {
        Status = "paused",
        StatusReason = "the step reached its maximum duration without a conclusion",
    };
}
