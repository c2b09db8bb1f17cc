using LlmGateway.Cli.History;

namespace LlmGateway.Cli.Tests.History;

public sealed class InstantParserTests
{
    [Theory]
    [InlineData("2026-07-20", "2026-07-20T00:00:00.0000000+00:00")]
    [InlineData("2026-07-20 14:00", "2026-07-20T14:00:00.0000000+00:00")]
    [InlineData("2026-07-20 14:00:30", "2026-07-20T14:00:30.0000000+00:00")]
    [InlineData("2026-07-20T14:00", "2026-07-20T14:00:00.0000000+00:00")]
    [InlineData("2026-07-20T14:00:00Z", "2026-07-20T14:00:00.0000000+00:00")]
    [InlineData("2026-07-20T14:00:00.25Z", "2026-07-20T14:00:00.2500000+00:00")]
    [InlineData("2026-07-20T16:00:00+02:00", "2026-07-20T14:00:00.0000000+00:00")]
    [InlineData("2026-07-20 09:00-05:00", "2026-07-20T14:00:00.0000000+00:00")]
    [InlineData("  2026-07-20T14:00:00Z  ", "2026-07-20T14:00:00.0000000+00:00")]
    public void Accepts_ISO_8601_dates_and_date_times_and_reads_no_offset_as_UTC(string text, string expectedRoundTrip)
    {
        Assert.True(InstantParser.TryParse(text, out var instant));

        Assert.Equal(expectedRoundTrip, instant.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, instant.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("yesterday")]
    [InlineData("20/07/2026")]
    [InlineData("07/20/2026")]
    [InlineData("2026-7-20")]
    [InlineData("2026-02-30")]
    [InlineData("2026-07-20 25:00")]
    [InlineData("2026-07-20T14")]
    [InlineData("1721484000")]
    public void Rejects_anything_else(string? text)
    {
        Assert.False(InstantParser.TryParse(text, out _));
    }

    [Fact]
    public void The_error_message_names_the_option_and_shows_examples()
    {
        var message = InstantParser.ErrorMessage("--at", "yesterday");

        Assert.Contains("--at 'yesterday'", message, StringComparison.Ordinal);
        Assert.Contains("2026-07-20 14:00", message, StringComparison.Ordinal);
    }
}
