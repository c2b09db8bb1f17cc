using System.Globalization;
using LlmGateway.Contracts.Rollouts;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>Turns a recorded decision into the webhook's body and its one-line text.</summary>
internal static class RolloutWebhookPayloads
{
    public static RolloutWebhookPayload For(RolloutView rollout, string decision)
    {
        var steps = rollout.Plan.Steps?.Count ?? 0;
        var reason = Reason(rollout);
        return new RolloutWebhookPayload
        {
            Id = "whk_" + Guid.NewGuid().ToString("n"),
            Text = Text(rollout, decision, reason),
            Prompt = rollout.Prompt,
            Environment = rollout.Environment,
            Candidate = rollout.Candidate,
            Baseline = rollout.Baseline,
            Decision = decision,
            Status = rollout.Status,
            Step = rollout.Step + 1,
            Steps = steps,
            Weight = rollout.Weight,
            Reason = reason,
            Evaluation = rollout.LastEvaluation,
            At = rollout.UpdatedAt,
        };
    }

    /// <summary><c>:rocket: summarize v3 in production — advance at step 2/4 (25%) — every metric is within its threshold</c>.</summary>
    public static string Text(RolloutView rollout, string decision, string? reason)
    {
        var steps = rollout.Plan.Steps?.Count ?? 0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{Emoji(decision, rollout.Status)} {Escape(rollout.Prompt)} v{rollout.Candidate} in {Escape(rollout.Environment)} — {Escape(decision)} at step {rollout.Step + 1}/{steps} ({rollout.Weight:0.##}%)");
        return string.IsNullOrWhiteSpace(reason) ? line : $"{line} — {Escape(reason)}";
    }

    /// <summary>Why: the status's reason when it stopped or ended, else the evaluation's (an advance).</summary>
    public static string? Reason(RolloutView rollout) => rollout.StatusReason ?? rollout.LastEvaluation?.Reason;

    private static string Emoji(string decision, string status) => decision switch
    {
        "abort" or RolloutStatuses.Aborted => ":no_entry:",
        "pause" or RolloutStatuses.Paused => ":pause_button:",
        "advance" or "promote" or "resume" or "start" or "skip-step" or RolloutStatuses.Promoted => ":rocket:",
        _ => status switch
        {
            RolloutStatuses.Aborted => ":no_entry:",
            RolloutStatuses.Paused => ":pause_button:",
            _ => ":rocket:",
        },
    };

    /// <summary>Slack's three control characters in message text.</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
