using LlmGateway.Cli.Behaviour;

namespace LlmGateway.Cli.Tests.Behaviour;

/// <summary>The spellings <c>--step</c>, <c>--by</c> and <c>--metric</c> accept, and how values read in the output.</summary>
public sealed class BehaviourOptionParsingTests
{
    [Theory]
    [InlineData("60", 60)]
    [InlineData("90s", 90)]
    [InlineData("1m", 60)]
    [InlineData("5M", 300)]
    [InlineData(" 2h ", 7200)]
    [InlineData("1d", 86400)]
    public void Steps_read_to_seconds(string text, int expected)
    {
        Assert.True(StepOption.TryParseSeconds(text, out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0m")]
    [InlineData("-1m")]
    [InlineData("1.5m")]
    [InlineData("m")]
    [InlineData("5w")]
    [InlineData("1 m")]
    [InlineData("99999999d")]
    public void Other_steps_are_not_durations(string text)
    {
        Assert.False(StepOption.TryParseSeconds(text, out _));
    }

    [Theory]
    [InlineData(60, "1m")]
    [InlineData(5400, "90m")]
    [InlineData(7200, "2h")]
    [InlineData(86400, "1d")]
    [InlineData(90, "90s")]
    public void Steps_are_written_as_they_are_typed(long seconds, string expected)
    {
        Assert.Equal(expected, StepOption.Format(seconds));
    }

    [Theory]
    [InlineData("version,variant", "version,variant")]
    [InlineData("variant, version", "version,variant")]
    [InlineData("VARIANT", "variant")]
    [InlineData("version,version", "version")]
    [InlineData("none", "")]
    [InlineData("", "")]
    public void Group_by_is_a_subset_of_version_and_variant(string text, string expected)
    {
        Assert.True(GroupByOption.TryParse(text, out var groupBy));
        Assert.Equal(expected, groupBy);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("version,model")]
    [InlineData("none,version")]
    public void Other_groupings_are_refused(string text)
    {
        Assert.False(GroupByOption.TryParse(text, out _));
    }

    [Fact]
    public void Metrics_may_be_repeated_or_comma_separated()
    {
        Assert.Equal(["refusal", "output_tokens", "cost_usd"], BehaviourCommands.Metrics(["refusal, output_tokens", "cost_usd", "refusal", " "]));
        Assert.Empty(BehaviourCommands.Metrics(null));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(125.5, "125.5")]
    [InlineData(1234.5678, "1235")]
    [InlineData(123456.7, "123457")]
    [InlineData(45.6789, "45.68")]
    [InlineData(0.000123456, "0.0001235")]
    [InlineData(-0.5, "-0.5")]
    public void Numbers_keep_four_significant_digits_and_no_exponent(double value, string expected)
    {
        Assert.Equal(expected, BehaviourFormat.Number(value));
    }

    [Fact]
    public void Rates_read_as_percentages_and_differences_carry_their_sign()
    {
        Assert.Equal("5%", BehaviourFormat.Mean(0.05, "rate"));
        Assert.Equal("12.3%", BehaviourFormat.Mean(0.1234, "rate"));
        Assert.Equal("0.05", BehaviourFormat.Mean(0.05, "value"));
        Assert.Equal("-", BehaviourFormat.Mean(null, "rate"));
        Assert.Equal("+0.09", BehaviourFormat.Signed(0.09));
        Assert.Equal("-0.09", BehaviourFormat.Signed(-0.09));
        Assert.Equal("0", BehaviourFormat.Signed(0));
    }

    [Theory]
    [InlineData(0.4, "0s")]
    [InlineData(48, "48s")]
    [InlineData(60, "60s (1m)")]
    [InlineData(3720, "3720s (1h 2m)")]
    [InlineData(90061, "90061s (1d 1h 1m 1s)")]
    public void Seconds_before_read_in_hours_and_minutes_too(double seconds, string expected)
    {
        Assert.Equal(expected, BehaviourFormat.Seconds(seconds));
    }
}
