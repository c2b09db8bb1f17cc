using System.Globalization;
using LlmGateway.Cli.Releases;

namespace LlmGateway.Cli.Tests.Releases;

public sealed class SamplingRateTests
{
    [Theory]
    [InlineData("0.05", "0.05")]
    [InlineData("5%", "0.05")]
    [InlineData("50%", "0.5")]
    [InlineData("12.5%", "0.125")]
    [InlineData("0.5 %", "0.005")]
    [InlineData(" 1 ", "1")]
    [InlineData("0", "0")]
    [InlineData("0%", "0")]
    [InlineData("100%", "1")]
    public void Fractions_and_percentages_become_the_fraction_the_API_takes(string text, string expected)
    {
        Assert.True(SamplingRate.TryParse("--canary", text, out var rate, out var error), error);

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), rate);
    }

    [Theory]
    [InlineData("2", "--canary 2 is out of range: a rate runs from 0 to 1 (0.05 = 5%); for a percentage write 2%.")]
    [InlineData("1.01", "--canary 1.01 is out of range: a rate runs from 0 to 1 (0.05 = 5%); for a percentage write 1.01%.")]
    [InlineData("-0.1", "--canary -0.1 is out of range: a rate runs from 0 to 1 (0.05 = 5%).")]
    [InlineData("150", "--canary 150 is out of range: a rate runs from 0 to 1 (0.05 = 5%).")]
    [InlineData("101%", "--canary 101% is out of range: 0% to 100%.")]
    [InlineData("-5%", "--canary -5% is out of range: 0% to 100%.")]
    [InlineData("abc", "--canary 'abc' is not a rate: use a fraction from 0 to 1 (0.05) or a percentage (5%).")]
    [InlineData("0,5", "--canary '0,5' is not a rate: use a fraction from 0 to 1 (0.05) or a percentage (5%).")]
    [InlineData("5e-2", "--canary '5e-2' is not a rate: use a fraction from 0 to 1 (0.05) or a percentage (5%).")]
    [InlineData("%", "--canary '%' is not a rate: use a fraction from 0 to 1 (0.05) or a percentage (5%).")]
    [InlineData("", "--canary '' is not a rate: use a fraction from 0 to 1 (0.05) or a percentage (5%).")]
    public void Out_of_range_or_unreadable_rates_are_refused_with_how_to_write_them(string text, string expected)
    {
        Assert.False(SamplingRate.TryParse("--canary", text, out _, out var error));

        Assert.Equal(expected, error);
    }
}
