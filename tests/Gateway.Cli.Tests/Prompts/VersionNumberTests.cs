using LlmGateway.Cli.Prompts;

namespace LlmGateway.Cli.Tests.Prompts;

public sealed class VersionNumberTests
{
    [Theory]
    [InlineData("3", 3)]
    [InlineData("v3", 3)]
    [InlineData("V12", 12)]
    [InlineData(" 7 ", 7)]
    public void Versions_are_numbers_with_an_optional_v(string text, int expected)
    {
        Assert.True(VersionNumber.TryParse(text, out var version));
        Assert.Equal(expected, version);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("v0")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData("v")]
    [InlineData("latest")]
    [InlineData("")]
    [InlineData("99999999999")]
    public void Anything_else_is_not_a_version(string text)
    {
        Assert.False(VersionNumber.TryParse(text, out _));
    }
}
