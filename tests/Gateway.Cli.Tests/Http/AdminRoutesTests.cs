using LlmGateway.Cli.Http;
using LlmGateway.Cli.Samples;

namespace LlmGateway.Cli.Tests.Http;

public sealed class AdminRoutesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 7, 20, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Paths_follow_the_contract_and_escape_names()
    {
        Assert.Equal("/admin/v1/prompts/support-bot/versions/3", AdminRoutes.Version("support-bot", 3));
        Assert.Equal("/admin/v1/prompts/support-bot/versions/3/approve", AdminRoutes.Approve("support-bot", 3));
        Assert.Equal("/admin/v1/prompts/support-bot/releases/production", AdminRoutes.Release("support-bot", "production"));
        Assert.Equal("/admin/v1/prompts/support-bot/releases/production/canary", AdminRoutes.ReleaseAction("support-bot", "production", "canary"));
        Assert.Equal("/admin/v1/prompts/support-bot/releases/production/sampling", AdminRoutes.ReleaseSampling("support-bot", "production"));
        Assert.Equal("/admin/v1/keys/key_1", AdminRoutes.Key("key_1"));
        Assert.Equal("/admin/v1/prompts/a%2Fb%20c", AdminRoutes.Prompt("a/b c"));
    }

    [Theory]
    [InlineData(null, false, false, null, "/admin/v1/prompts/bot/history")]
    [InlineData("production", false, false, null, "/admin/v1/prompts/bot/history?env=production")]
    [InlineData("production", true, true, 100, "/admin/v1/prompts/bot/history?env=production&from=2026-07-20T14%3A00%3A00Z&to=2026-07-20T14%3A00%3A00Z&limit=100")]
    [InlineData(null, false, false, 5, "/admin/v1/prompts/bot/history?limit=5")]
    public void History_sends_only_the_filters_given(string? environment, bool withFrom, bool withTo, int? limit, string expected)
    {
        Assert.Equal(expected, AdminRoutes.History("bot", environment, withFrom ? Noon : null, withTo ? Noon : null, limit));
    }

    [Fact]
    public void Active_sends_the_instant_in_UTC()
    {
        Assert.Equal(
            "/admin/v1/prompts/bot/active?env=production&at=2026-07-20T14%3A00%3A00Z",
            AdminRoutes.Active("bot", "production", new DateTimeOffset(2026, 7, 20, 16, 0, 0, TimeSpan.FromHours(2))));
    }

    [Theory]
    [InlineData(0, "2026-07-20T14:00:00Z")]
    [InlineData(250, "2026-07-20T14:00:00.25Z")]
    public void Instants_are_written_without_needless_fractions(int milliseconds, string expected)
    {
        Assert.Equal(expected, AdminRoutes.InstantText(Noon.AddMilliseconds(milliseconds)));
    }

    [Fact]
    public void Samples_send_only_the_filters_given_and_export_takes_no_cursor()
    {
        var none = new SampleFilter(null, null, null, null, null, null, null);
        var all = new SampleFilter("support bot", 3, "canary", "gpt-4o-mini", "production", Noon, Noon.AddHours(1));

        Assert.Equal("/admin/v1/samples", AdminRoutes.SampleList(none, null, null));
        Assert.Equal(
            "/admin/v1/samples?prompt=support%20bot&version=3&variant=canary&model=gpt-4o-mini&environment=production&from=2026-07-20T14%3A00%3A00Z&to=2026-07-20T15%3A00%3A00Z&limit=10&cursor=c%2B1",
            AdminRoutes.SampleList(all, 10, "c+1"));
        Assert.Equal("/admin/v1/samples/export?variant=canary&limit=500", AdminRoutes.SampleExport(none with { Variant = "canary" }, 500));
        Assert.Equal("/admin/v1/samples/smp_a%2Fb", AdminRoutes.Sample("smp_a/b"));
    }
}
