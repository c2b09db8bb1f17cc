using LlmGateway.Cli.History;
using LlmGateway.Cli.Releases;
using LlmGateway.Contracts.Releases;

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
        Assert.Equal(expected, ReleaseFormatter.Summary(View(stable, canary, weight)));
    }

    [Theory]
    [InlineData(2, 3, "v2 → v3")]
    [InlineData(3, 3, "v3")]
    [InlineData(null, 1, "- → v1")]
    [InlineData(null, null, "-")]
    public void History_shows_stable_moving_only_when_it_moved(int? before, int? after, string expected)
    {
        Assert.Equal(expected, HistoryCommands.StableChange(Stored(before), Stored(after)));
    }

    [Theory]
    [InlineData(false, null, null, null, "defaults")]
    [InlineData(true, "0.05", "0.5", 100, "stable 5%, canary 50%, floor 100/h")]
    [InlineData(true, null, "0.125", null, "stable default, canary 12.5%, floor default")]
    [InlineData(true, "0", "1", 0, "stable 0%, canary 100%, floor 0/h")]
    [InlineData(true, "0.0001", null, null, "stable 0.01%, canary default, floor default")]
    [InlineData(true, null, null, null, "stable default, canary default, floor default")]
    public void Sampling_reads_as_percentages_and_says_what_follows_the_defaults(bool hasPolicy, string? stable, string? canary, int? floor, string expected)
    {
        var policy = hasPolicy ? new ReleaseSampling { Stable = Rate(stable), Canary = Rate(canary), FloorPerHour = floor } : null;

        Assert.Equal(expected, ReleaseFormatter.Sampling(policy));
    }

    [Fact]
    public void Details_show_a_shadow_step_only_while_there_is_one()
    {
        using var shadowed = new StringWriter();
        ReleaseFormatter.WriteDetails(shadowed, View(3, 4, 0) with { ShadowShare = 2500 });
        using var plain = new StringWriter();
        ReleaseFormatter.WriteDetails(plain, View(3, 4, 500));

        Assert.Matches(@"\n  shadow: +25% of stable requests also answered by v4 \(2500 bps\)\n", shadowed.ToString());
        Assert.DoesNotContain("shadow", plain.ToString(), StringComparison.Ordinal);
    }

    // As the gateway's JSON reads: a double.
    private static double? Rate(string? text) => text is null ? null : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static ReleaseView View(int? stable, int? canary, int? weight) =>
        new() { Prompt = "bot", Environment = "production", Stable = stable, Canary = canary, CanaryWeight = weight ?? 0 };

    private static ReleaseRecord Stored(int? stable) => new() { Stable = stable };
}
