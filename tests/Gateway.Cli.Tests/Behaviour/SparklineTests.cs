using LlmGateway.Cli.Behaviour;

namespace LlmGateway.Cli.Tests.Behaviour;

public sealed class SparklineTests
{
    [Fact]
    public void Values_are_scaled_between_the_series_own_min_and_max()
    {
        Assert.Equal("▁▂▃▄▅▆▇█", Sparkline.Render([0, 1, 2, 3, 4, 5, 6, 7]));
        // The same shape whatever the units: only min and max matter.
        Assert.Equal("▁▂▃▄▅▆▇█", Sparkline.Render([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007]));
        Assert.Equal("█▁▅", Sparkline.Render([0.4, 0, 0.22]));
    }

    [Fact]
    public void Empty_buckets_show_a_dot_and_do_not_move_the_scale()
    {
        Assert.Equal("·▁·█·", Sparkline.Render([null, 10, null, 20, null]));
        Assert.Equal("▁·█", Sparkline.Render([(2.0, 5L), (100.0, 0L), (4.0, 1L)]));
        Assert.Equal("▁·█", Sparkline.Render([2, double.NaN, 4]));
    }

    [Fact]
    public void A_series_with_no_value_at_all_is_all_dots_and_an_empty_one_is_empty()
    {
        Assert.Equal("····", Sparkline.Render([null, null, null, null]));
        Assert.Equal("", Sparkline.Render(Array.Empty<double?>()));
    }

    [Fact]
    public void A_constant_series_sits_on_one_middle_level()
    {
        Assert.Equal("▄▄▄", Sparkline.Render([0.25, 0.25, 0.25]));
        Assert.Equal("▄·▄", Sparkline.Render([0, null, 0]));
        Assert.Equal("▄", Sparkline.Render([42]));
        // Floating-point noise is not a change.
        Assert.Equal("▄▄", Sparkline.Render([0.1 + 0.2, 0.3]));
    }

    [Fact]
    public void A_series_wider_than_the_width_is_bucketed_down_to_the_width()
    {
        double?[] values = [.. Enumerable.Range(0, 120).Select(i => (double?)(i / 2))];

        var line = Sparkline.Render(values, width: 60);

        Assert.Equal(60, line.Length);
        Assert.Equal('▁', line[0]);
        Assert.Equal('█', line[^1]);
        Assert.Equal(Sparkline.DefaultWidth, Sparkline.Render([.. Enumerable.Range(0, 1000).Select(i => (double?)i)]).Length);
    }

    [Fact]
    public void Bucketing_down_averages_by_weight_and_keeps_buckets_with_nothing_empty()
    {
        var buckets = Sparkline.Downsample([(1.0, 1L), (3.0, 3L), (null, 0L), (null, 0L), (5.0, 2L), (7.0, 2L)], width: 3);

        Assert.Equal([2.5, null, 6.0], buckets);
    }

    [Fact]
    public void Uneven_bucketing_covers_every_point_once()
    {
        // 7 points into 3 buckets: [0,1] [2,3] [4,5,6].
        var buckets = Sparkline.Downsample([.. Enumerable.Range(0, 7).Select(i => ((double?)i, 1L))], width: 3);

        Assert.Equal([0.5, 2.5, 5.0], buckets);
    }

    [Fact]
    public void A_series_that_fits_is_kept_as_is()
    {
        Assert.Equal([1.0, null, 3.0], Sparkline.Downsample([(1.0, 1L), (null, 0L), (3.0, 9L)], width: 3));
    }
}
