using LlmGateway.Behaviour;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary><see cref="SeriesField"/>: <c>version|variant|metric|stat</c> and back.</summary>
public sealed class SeriesFieldTests
{
    [Theory]
    [InlineData(3, "canary", "format", SeriesField.Passes, "3|canary|format|p")]
    [InlineData(0, "-", "latency_ms", SeriesField.SumOfSquares, "0|-|latency_ms|q")]
    [InlineData(12345, "stable", "polite.score", SeriesField.Count, "12345|stable|polite.score|n")]
    public void A_field_writes_and_reads_back(int version, string variant, string metric, char stat, string text)
    {
        var field = new SeriesField(version, variant, metric, stat);

        Assert.Equal(text, field.ToString());
        Assert.True(SeriesField.TryParse(text, out var parsed));
        Assert.Equal(field, parsed);
    }

    [Fact]
    public void The_stat_letters_are_fixed()
    {
        Assert.Equal("nsqpfe", string.Concat(SeriesField.Count, SeriesField.Sum, SeriesField.SumOfSquares, SeriesField.Passes, SeriesField.Fails, SeriesField.Errors));
    }

    [Theory]
    [InlineData("")]
    [InlineData("3|canary|format")]
    [InlineData("3|canary|format|p|x")]
    [InlineData("3|canary|format|pp")]
    [InlineData("3|canary|format|")]
    [InlineData("x|canary|format|p")]
    [InlineData("3.5|canary|format|p")]
    [InlineData("|canary|format|p")]
    [InlineData("99999999999|canary|format|p")]
    [InlineData("3|canary|bad|name|p")]
    public void A_field_of_another_shape_is_refused(string text)
    {
        Assert.False(SeriesField.TryParse(text, out var parsed));
        Assert.Equal(default(SeriesField), parsed);
    }
}
