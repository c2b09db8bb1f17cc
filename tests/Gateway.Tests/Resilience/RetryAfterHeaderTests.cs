using LlmGateway.Resilience;

namespace LlmGateway.Tests.Resilience;

public sealed class RetryAfterHeaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1", 1)]
    [InlineData("0", 0)]
    [InlineData("120", 120)]
    [InlineData("1.5", 1.5)]
    [InlineData("Sun, 29 Nov 2026 12:00:30 GMT", 30)]
    [InlineData("Sun, 29 Nov 2026 11:59:00 GMT", 0)]
    public void Both_forms_are_read(string value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfterHeader.Parse(value, Now));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    public void Anything_else_is_no_retry_after(string? value) => Assert.Null(RetryAfterHeader.Parse(value, Now));

    [Theory]
    [InlineData(0.2, "1")]
    [InlineData(1, "1")]
    [InlineData(1.2, "2")]
    [InlineData(29.9, "30")]
    public void What_the_gateway_sends_is_whole_seconds_rounded_up(double seconds, string expected) =>
        Assert.Equal(expected, RetryAfterHeader.Format(TimeSpan.FromSeconds(seconds)));
}
