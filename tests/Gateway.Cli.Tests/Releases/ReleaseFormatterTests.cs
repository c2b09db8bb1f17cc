using LlmGateway.Cli.History;
using LlmGateway.Cli.Releases;

namespace LlmGateway.Cli.Tests.Releases;

public sealed class ReleaseFormatterTests
{
    [Theory]
    [InlineData(3, null, null, "v3")]
    [InlineData(3, 4, 1000, "v3 + canary v4 @ 10%")]
    [InlineData(null, 4, 250, "- + canary v4 @ 2.5%")]
    [InlineData(null, null, null, "-")]
    public void A_release_summarises_on_one_line(int? stable, int? canary, int? weight, string expected)
    {
        Assert.Equal(expected, ReleaseFormatter.Summary(Release(stable, canary, weight)));
    }

    [Theory]
    [InlineData(2, 3, "v2 → v3")]
    [InlineData(3, 3, "v3")]
    [InlineData(null, 1, "- → v1")]
    [InlineData(null, null, "-")]
    public void History_shows_stable_moving_only_when_it_moved(int? before, int? after, string expected)
    {
        Assert.Equal(expected, HistoryCommands.StableChange(Release(before, null, null), Release(after, null, null)));
    }

    private static ReleaseRecord Release(int? stable, int? canary, int? weight) =>
        new(null, null, stable, canary, weight, null, null, null, null, null, null);
}
