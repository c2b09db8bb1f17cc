using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts;

/// <summary>The pauses a rollout keeps: its record is rewritten at every look, so the list is bounded.</summary>
internal static class RolloutPauses
{
    public const int Kept = 20;

    /// <summary>The rollout's pauses with this one added, its evidence the evaluation the rollout holds as paused.</summary>
    public static IReadOnlyList<RolloutPause> With(RolloutView paused, string by, DateTimeOffset at)
    {
        var pause = new RolloutPause { At = at, By = by, Reason = paused.StatusReason, Step = paused.Step, Evaluation = paused.LastEvaluation };
        var earlier = paused.Pauses ?? [];
        return [.. earlier.Skip(Math.Max(0, earlier.Count + 1 - Kept)), pause];
    }
}
