using LlmGateway.Rollouts.Notifications;

namespace LlmGateway.Tests.Rollouts.Notifications;

public sealed class RolloutNotificationsTextTests
{
    [Fact]
    public void An_abort_says_no_entry_with_the_status_reason()
    {
        var rollout = RolloutViews.Aborted();

        Assert.Equal(
            ":no_entry: summarize v3 in production — abort at step 2/4 (25%) — error is worse than its threshold (anytime-valid interval entirely past it)",
            RolloutWebhookPayloads.For(rollout, "abort").Text);
    }

    [Fact]
    public void A_pause_says_pause_button()
    {
        var payload = RolloutWebhookPayloads.For(RolloutViews.Paused() with { Weight = 12.5 }, "paused");

        Assert.Equal(":pause_button: summarize v3 in production — paused at step 2/4 (12.5%) — the step reached its maximum duration without a conclusion", payload.Text);
        Assert.Equal("paused", payload.Status);
    }

    [Fact]
    public void A_promotion_says_rocket_and_a_missing_reason_leaves_no_dangling_dash()
    {
        var rollout = RolloutViews.Running() with { Status = "promoted", Step = 3, Weight = 100, LastEvaluation = null };

        Assert.Equal(":rocket: summarize v3 in production — promote at step 4/4 (100%)", RolloutWebhookPayloads.For(rollout, "promote").Text);
    }

    [Fact]
    public void Slack_control_characters_are_escaped_in_the_text_but_not_in_the_fields()
    {
        var rollout = RolloutViews.Paused() with { StatusReason = "paused by <@bob> & co" };

        var payload = RolloutWebhookPayloads.For(rollout, "pause");

        Assert.EndsWith("— paused by &lt;@bob&gt; &amp; co", payload.Text, StringComparison.Ordinal);
        Assert.Equal("paused by <@bob> & co", payload.Reason);
    }
}
