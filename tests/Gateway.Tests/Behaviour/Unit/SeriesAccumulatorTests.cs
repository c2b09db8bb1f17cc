using LlmGateway.Behaviour;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary><see cref="SeriesAccumulator"/>: stats added up over fields and buckets, read as a point.</summary>
public sealed class SeriesAccumulatorTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_value_series_reads_its_mean_and_sample_standard_deviation()
    {
        // Values 2, 4, 4, 4, 5, 5, 7, 9: n 8, sum 40, sum of squares 232, variance 32/7.
        var stats = new SeriesAccumulator();
        stats.Add(SeriesField.Count, 8);
        stats.Add(SeriesField.Sum, 40);
        stats.Add(SeriesField.SumOfSquares, 232);

        var point = stats.ToPoint(At, MetricKind.Value);

        Assert.Equal(At, point.At);
        Assert.Equal(8, point.Count);
        Assert.Equal(5, point.Mean);
        Assert.Equal(Math.Sqrt(32.0 / 7), point.StdDev!.Value, 12);
        Assert.Null(point.PassRatio);
        Assert.Equal(0, point.Passes);
        Assert.Equal(0, point.Fails);
        Assert.Equal(0, point.Errors);
    }

    [Fact]
    public void A_rate_series_takes_its_sum_as_its_sum_of_squares()
    {
        // Ten samples, three refusals: values are 0 or 1, so the sum of squares is 3 whatever is stored.
        var stats = new SeriesAccumulator();
        stats.Add(SeriesField.Count, 10);
        stats.Add(SeriesField.Sum, 3);
        stats.Add(SeriesField.SumOfSquares, 100);
        stats.Add(SeriesField.Passes, 7);
        stats.Add(SeriesField.Fails, 3);
        stats.Add(SeriesField.Errors, 2);

        var point = stats.ToPoint(At, MetricKind.Rate);

        Assert.Equal(10, point.Count);
        Assert.Equal(0.3, point.Mean!.Value, 12);
        Assert.Equal(Math.Sqrt(2.1 / 9), point.StdDev!.Value, 12);
        Assert.Equal(0.7, point.PassRatio!.Value, 12);
        Assert.Equal(7, point.Passes);
        Assert.Equal(3, point.Fails);
        Assert.Equal(2, point.Errors);
    }

    [Fact]
    public void Fields_and_buckets_add_up()
    {
        // Minute one: 1 and 3; minute two: 5. Together n 3, sum 9, sum of squares 35, mean 3, variance 4.
        var first = new SeriesAccumulator();
        first.Add(SeriesField.Count, 2);
        first.Add(SeriesField.Sum, 4);
        first.Add(SeriesField.SumOfSquares, 10);
        first.Add(SeriesField.Passes, 1);
        var second = new SeriesAccumulator();
        second.Add(SeriesField.Count, 1);
        second.Add(SeriesField.Sum, 5);
        second.Add(SeriesField.SumOfSquares, 25);
        second.Add(SeriesField.Fails, 1);
        second.Add(SeriesField.Errors, 1);

        var total = new SeriesAccumulator();
        total.Add(first);
        total.Add(second);
        var point = total.ToPoint(At, MetricKind.Value);

        Assert.Equal((3d, 9d, 35d, 1d, 1d, 1d), (total.Count, total.Sum, total.SumOfSquares, total.Passes, total.Fails, total.Errors));
        Assert.Equal(3, point.Mean);
        Assert.Equal(2, point.StdDev);
        Assert.Equal(0.5, point.PassRatio);
    }

    [Fact]
    public void An_unknown_stat_is_ignored()
    {
        var stats = new SeriesAccumulator();
        stats.Add('x', 5);
        stats.Add(SeriesField.Count, 1);
        stats.Add(SeriesField.Sum, 2);

        Assert.Equal((1d, 2d, 0d, 0d, 0d, 0d), (stats.Count, stats.Sum, stats.SumOfSquares, stats.Passes, stats.Fails, stats.Errors));
    }

    [Fact]
    public void One_value_has_a_mean_but_no_standard_deviation()
    {
        var stats = new SeriesAccumulator();
        stats.Add(SeriesField.Count, 1);
        stats.Add(SeriesField.Sum, 420);
        stats.Add(SeriesField.SumOfSquares, 176_400);

        var point = stats.ToPoint(At, MetricKind.Value);

        Assert.Equal(420, point.Mean);
        Assert.Null(point.StdDev);
    }

    [Fact]
    public void Equal_values_have_zero_spread_and_rounding_below_zero_is_clamped()
    {
        // Two zeros store no sum and no squares.
        var zeros = new SeriesAccumulator();
        zeros.Add(SeriesField.Count, 2);
        Assert.Equal(0, zeros.ToPoint(At, MetricKind.Value).Mean);
        Assert.Equal(0, zeros.ToPoint(At, MetricKind.Value).StdDev);

        // Two ones, with a sum of squares a hair under its exact 2: the variance would be negative.
        var ones = new SeriesAccumulator();
        ones.Add(SeriesField.Count, 2);
        ones.Add(SeriesField.Sum, 2);
        ones.Add(SeriesField.SumOfSquares, 1.9999999);
        Assert.Equal(0, ones.ToPoint(At, MetricKind.Value).StdDev);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_empty_bucket_reads_as_nulls(bool rate)
    {
        var point = new SeriesAccumulator().ToPoint(At, rate ? MetricKind.Rate : MetricKind.Value);

        Assert.Equal(At, point.At);
        Assert.Equal((0L, 0L, 0L, 0L), (point.Count, point.Passes, point.Fails, point.Errors));
        Assert.Null(point.Mean);
        Assert.Null(point.StdDev);
        Assert.Null(point.PassRatio);
    }

    [Fact]
    public void A_bucket_of_errors_only_has_no_mean_and_no_pass_ratio()
    {
        var stats = new SeriesAccumulator();
        stats.Add(SeriesField.Errors, 4);

        var point = stats.ToPoint(At, MetricKind.Rate);

        Assert.Equal(0, point.Count);
        Assert.Equal(4, point.Errors);
        Assert.Null(point.Mean);
        Assert.Null(point.StdDev);
        Assert.Null(point.PassRatio);
    }
}
