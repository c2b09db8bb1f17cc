using LlmGateway.Cli.Releases;

namespace LlmGateway.Cli.Tests.Releases;

public sealed class CanaryWeightTests
{
    [Theory]
    [InlineData("10", 1000)]
    [InlineData("2.5", 250)]
    [InlineData("0.01", 1)]
    [InlineData("0", 0)]
    [InlineData("100", 10000)]
    [InlineData("33.33", 3333)]
    [InlineData("12.50", 1250)]
    public void Percent_converts_exactly_to_basis_points(string percent, int expectedBasisPoints)
    {
        Assert.True(CanaryWeight.TryFromPercent(decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture), out var bps, out var error), error);

        Assert.Equal(expectedBasisPoints, bps);
    }

    [Theory]
    [InlineData("-1", "out of range")]
    [InlineData("100.01", "out of range")]
    [InlineData("12.345", "finer than")]
    [InlineData("0.001", "finer than")]
    public void Percent_out_of_range_or_finer_than_a_basis_point_is_refused(string percent, string expectedFragment)
    {
        Assert.False(CanaryWeight.TryFromPercent(decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture), out _, out var error));

        Assert.Contains(expectedFragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1000, null, true, 1000, "")]
    [InlineData(0, null, true, 0, "")]
    [InlineData(10000, null, true, 10000, "")]
    [InlineData(null, "25", true, 2500, "")]
    [InlineData(10001, null, false, 0, "out of range")]
    [InlineData(-1, null, false, 0, "out of range")]
    [InlineData(1000, "10", false, 0, "not both")]
    [InlineData(null, null, false, 0, "--weight BPS")]
    [InlineData(null, "150", false, 0, "out of range")]
    public void Exactly_one_of_weight_and_percent_is_required(int? weight, string? percent, bool expectedValid, int expectedBasisPoints, string expectedFragment)
    {
        decimal? share = percent is null ? null : decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture);

        var valid = CanaryWeight.TryResolve(weight, share, out var bps, out var error);

        Assert.Equal(expectedValid, valid);
        Assert.Equal(expectedBasisPoints, bps);
        Assert.Contains(expectedFragment, error, StringComparison.Ordinal);
    }
}
