using LlmGateway.Cli.Behaviour;

namespace LlmGateway.Cli.Tests.Behaviour;

public sealed class BehaviourRoutesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 7, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_flags_the_gateway_chooses_every_default()
    {
        Assert.Equal("/admin/v1/prompts/bot/behaviour", BehaviourRoutes.Series("bot", new BehaviourQuery(null, [], null, null, null, null)));
        Assert.Equal("/admin/v1/prompts/bot/behaviour/changes", BehaviourRoutes.Changes("bot", null, null, null));
    }

    [Fact]
    public void Lists_keep_their_commas_and_every_value_is_escaped()
    {
        var query = new BehaviourQuery("prod&x", ["refusal", "judge:tone", "a,b"], "version,variant", Noon, Noon.AddMinutes(90.5), 120);

        Assert.Equal(
            "/admin/v1/prompts/a%2Fb/behaviour?environment=prod%26x&metric=refusal,judge%3Atone,a%2Cb&groupBy=version,variant" +
            "&from=2026-07-20T12%3A00%3A00Z&to=2026-07-20T13%3A30%3A30Z&step=120",
            BehaviourRoutes.Series("a/b", query));
    }

    [Fact]
    public void An_empty_group_by_is_sent_empty_meaning_all_arms_together()
    {
        Assert.Equal("/admin/v1/prompts/bot/behaviour?groupBy=", BehaviourRoutes.Series("bot", new BehaviourQuery(null, [], "", null, null, null)));
        Assert.Equal("/admin/v1/prompts/bot/behaviour?groupBy=variant", BehaviourRoutes.Series("bot", new BehaviourQuery(null, [], "variant", null, null, null)));
    }

    [Fact]
    public void Changes_send_only_the_filters_given()
    {
        Assert.Equal("/admin/v1/prompts/bot/behaviour/changes?metric=refusal&limit=3", BehaviourRoutes.Changes("bot", null, "refusal", 3));
        Assert.Equal("/admin/v1/prompts/bot/behaviour/changes?environment=staging", BehaviourRoutes.Changes("bot", "staging", null, null));
    }
}
