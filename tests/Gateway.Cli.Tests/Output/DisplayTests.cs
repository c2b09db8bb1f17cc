using LlmGateway.Cli.Output;

namespace LlmGateway.Cli.Tests.Output;

public sealed class DisplayTests
{
    [Theory]
    [InlineData(1000, "10%")]
    [InlineData(250, "2.5%")]
    [InlineData(1, "0.01%")]
    [InlineData(0, "0%")]
    [InlineData(10000, "100%")]
    [InlineData(3333, "33.33%")]
    [InlineData(null, "-")]
    public void Weights_in_basis_points_read_as_percentages(int? basisPoints, string expected)
    {
        Assert.Equal(expected, Display.Weight(basisPoints));
    }

    [Theory]
    [InlineData("9f2c1a3b4c5d6e7f8091a2b3c4d5e6f7", "9f2c1a3b4c5d")]
    [InlineData("sha256:9f2c1a3b4c5d6e7f8091", "9f2c1a3b4c5d")]
    [InlineData("abc", "abc")]
    [InlineData(null, "-")]
    [InlineData("", "-")]
    public void Ids_are_shortened_to_a_prefix(string? id, string expected)
    {
        Assert.Equal(expected, Display.IdPrefix(id));
    }

    [Fact]
    public void Instants_are_shown_in_UTC_to_the_second()
    {
        Assert.Equal("2026-07-20 12:00:05Z", Display.Instant(new DateTimeOffset(2026, 7, 20, 14, 0, 5, 123, TimeSpan.FromHours(2))));
        Assert.Equal("-", Display.Instant(null));
    }

    [Theory]
    [InlineData(3, "v3")]
    [InlineData(null, "-")]
    public void Versions_read_as_v_numbers(int? version, string expected)
    {
        Assert.Equal(expected, Display.Version(version));
    }
}
