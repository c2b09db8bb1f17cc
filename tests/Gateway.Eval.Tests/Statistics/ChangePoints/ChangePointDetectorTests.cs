using System.Runtime.InteropServices;
using LlmGateway.Eval.Statistics;
using LlmGateway.Eval.Statistics.ChangePoints;

namespace LlmGateway.Eval.Tests.Statistics.ChangePoints;

public sealed class ChangePointDetectorTests
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ChangePointOptions Options = ChangePointOptions.Default;

    [Fact]
    public void Empty_and_tiny_series_report_nothing()
    {
        foreach (var scale in Enum.GetValues<MetricScale>())
        {
            Assert.Null(ChangePointDetector.Detect([], scale, Options));
            Assert.Null(ChangePointDetector.Detect([Bucket(0, 100, 5)], scale, Options));
            Assert.Null(ChangePointDetector.Detect([Bucket(0, 100, 5), Bucket(1, 100, 50), Bucket(2, 100, 50)], scale, Options));
        }
    }

    [Fact]
    public void Degenerate_series_report_nothing_and_do_not_throw()
    {
        var noTraffic = Series(60, _ => (0, 0));
        var allZero = Series(60, _ => (20, 0));
        var constant = Series(60, i => (20, 20 * 150.0), rate: false);
        var mixedEmpty = Series(60, i => (i % 3 == 0 ? 0 : 20, i % 3 == 0 ? 0 : 1));
        var garbage = Series(60, i => (i % 2 == 0 ? -5 : 20, i % 2 == 0 ? double.NaN : 1));
        foreach (var scale in Enum.GetValues<MetricScale>())
        {
            Assert.Null(ChangePointDetector.Detect(noTraffic, scale, Options));
            Assert.Null(ChangePointDetector.Detect(allZero, scale, Options));
            Assert.Null(ChangePointDetector.Detect(mixedEmpty, scale, Options));
            Assert.Null(ChangePointDetector.Detect(garbage, scale, Options));
        }

        Assert.Null(ChangePointDetector.Detect(constant, MetricScale.Value, Options));
        var infinite = Series(60, i => (20, i < 30 ? 20.0 : double.PositiveInfinity), rate: false);
        Assert.Null(ChangePointDetector.Detect(infinite, MetricScale.Value, Options));
    }

    [Fact]
    public void A_rate_step_is_found_where_it_happened_with_its_size_and_interval()
    {
        var buckets = Series(60, i => (100, i < 30 ? 5 : 15));

        var change = ChangePointDetector.Detect(buckets, MetricScale.Rate, Options);

        Assert.NotNull(change);
        Assert.Equal(30, change.FirstBucketIndex);
        Assert.Equal(Origin.AddMinutes(30), change.Boundary);
        Assert.Equal(0.05, change.Before, 12);
        Assert.Equal(0.15, change.After, 12);
        Assert.Equal(0.10, change.Difference, 12);
        Assert.True(change.IsIncrease);
        Assert.Equal(3000, change.SamplesBefore);
        Assert.Equal(3000, change.SamplesAfter);
        Assert.Equal(0.95, change.Confidence);
        Assert.Equal(Options.RateThreshold, change.Threshold);
        Assert.True(change.Statistic >= change.Threshold);

        // Unpooled normal interval: 0.10 ± 1.96 · √(0.05·0.95/3000 + 0.15·0.85/3000).
        var halfWidth = 1.959963984540054 * Math.Sqrt((0.05 * 0.95 / 3000) + (0.15 * 0.85 / 3000));
        Assert.Equal(0.10 - halfWidth, change.CiLow, 9);
        Assert.Equal(0.10 + halfWidth, change.CiHigh, 9);
    }

    [Fact]
    public void A_decrease_is_reported_as_one()
    {
        var change = ChangePointDetector.Detect(Series(60, i => (100, i < 40 ? 15 : 5)), MetricScale.Rate, Options);

        Assert.NotNull(change);
        Assert.Equal(40, change.FirstBucketIndex);
        Assert.False(change.IsIncrease);
        Assert.True(change.CiHigh < 0);
    }

    [Fact]
    public void A_zero_baseline_that_starts_refusing_is_found_at_the_step()
    {
        // A stable mock that never refuses, then a candidate that refuses 3 of 20 a minute: 0·log 0 = 0 keeps the
        // Bernoulli likelihood finite, and the interval comes from the new level's variance alone.
        var buckets = Series(33, i => (20, i < 30 ? 0 : 3));

        var change = ChangePointDetector.Detect(buckets, MetricScale.Rate, Options);

        Assert.NotNull(change);
        Assert.Equal(30, change.FirstBucketIndex);
        Assert.Equal(0, change.Before);
        Assert.Equal(0.15, change.After, 12);
        Assert.True(change.IsIncrease);
        Assert.True(double.IsFinite(change.Statistic));
        Assert.True(change.CiLow > 0);
    }

    [Fact]
    public void A_constant_value_that_steps_is_a_change_but_a_rounding_error_is_not()
    {
        var step = Series(40, i => (10, 10 * (i < 20 ? 100.0 : 110.0)), rate: false);
        var change = ChangePointDetector.Detect(step, MetricScale.Value, Options);

        Assert.NotNull(change);
        Assert.Equal(20, change.FirstBucketIndex);
        Assert.Equal(100, change.Before, 9);
        Assert.Equal(110, change.After, 9);
        Assert.True(double.IsFinite(change.Statistic));
        Assert.True(double.IsFinite(change.CiLow) && change.CiLow > 0);

        var jitter = Series(40, i => (10, 10 * (i < 20 ? 100.0 : 100.0 + 1e-9)), rate: false);
        Assert.Null(ChangePointDetector.Detect(jitter, MetricScale.Value, Options));
    }

    [Fact]
    public void After_a_quiet_stretch_the_new_level_starts_where_traffic_resumes()
    {
        var buckets = Series(60, i => i switch
        {
            < 25 => (100, 5),
            < 30 => (0, 0),
            _ => (100, 20),
        });

        var change = ChangePointDetector.Detect(buckets, MetricScale.Rate, Options);

        Assert.NotNull(change);
        Assert.Equal(30, change.FirstBucketIndex);
    }

    [Fact]
    public void Only_the_latest_window_is_scanned_and_indexes_refer_to_the_input()
    {
        var options = Options with { MaxWindowBuckets = 100 };
        var old = Series(300, i => (50, i < 50 ? 10 : 2));
        Assert.Null(ChangePointDetector.Detect(old, MetricScale.Rate, options));

        var recent = Series(300, i => (50, i < 250 ? 2 : 10));
        var change = ChangePointDetector.Detect(recent, MetricScale.Rate, options);
        Assert.NotNull(change);
        Assert.Equal(250, change.FirstBucketIndex);
        Assert.Equal(200, change.WindowStartIndex);
        Assert.Equal(50 * 50, change.SamplesBefore);
    }

    [Fact]
    public void Splits_need_enough_samples_and_minutes_on_each_side()
    {
        // 1 sample a minute: the new level's 10 samples are below the 30-sample minimum however stark the step.
        var sparse = Series(50, i => (1, i < 40 ? 0 : 1));
        Assert.Null(ChangePointDetector.Detect(sparse, MetricScale.Rate, Options));

        // A new level must span two minutes by default, so one stark last minute cannot be its only bucket (the scan
        // may still put the boundary a minute early); with one minute allowed it is.
        var oneMinute = Series(31, i => (i < 30 ? 20 : 500, i < 30 ? 1 : 400));
        Assert.True(ChangePointDetector.Detect(oneMinute, MetricScale.Rate, Options) is null or { FirstBucketIndex: <= 29 });
        Assert.Equal(30, ChangePointDetector.Detect(oneMinute, MetricScale.Rate, Options with { MinimumBucketsEachSide = 1 })?.FirstBucketIndex);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        List<ChangePointBucket> buckets = [Bucket(0, 1, 0)];
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangePointDetector.Detect(buckets, MetricScale.Rate, Options with { RateThreshold = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangePointDetector.Detect(buckets, MetricScale.Rate, Options with { ValueThreshold = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangePointDetector.Detect(buckets, MetricScale.Rate, Options with { Confidence = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangePointDetector.Detect(buckets, MetricScale.Rate, Options with { MinimumSamplesEachSide = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangePointDetector.Detect(buckets, MetricScale.Rate, Options with { MaxWindowBuckets = 1 }));
    }

    [Theory]
    [InlineData(MetricScale.Rate, 1UL)]
    [InlineData(MetricScale.Rate, 2UL)]
    [InlineData(MetricScale.Value, 3UL)]
    [InlineData(MetricScale.Value, 4UL)]
    public void The_one_pass_scan_matches_a_split_by_split_recomputation(MetricScale scale, ulong seed)
    {
        var random = new ChangePointRandom(seed);
        var buckets = new List<ChangePointBucket>();
        for (var i = 0; i < 90; i++)
        {
            var count = random.Poisson(i % 7 == 0 ? 0.5 : 12);
            double sum = 0, squares = 0;
            for (var j = 0; j < count; j++)
            {
                var x = scale == MetricScale.Rate ? random.Bernoulli(i < 45 ? 0.1 : 0.2) : random.LogNormal(i < 60 ? 1000 : 1300, 1);
                sum += x;
                squares += x * x;
            }

            buckets.Add(new ChangePointBucket(Origin.AddMinutes(i), count, sum, squares));
        }

        var scan = ChangePointDetector.Scan(CollectionsMarshal.AsSpan(buckets), scale, Options);
        var (bestIndex, bestStatistic) = BruteForce(buckets, scale, Options);

        Assert.NotNull(scan);
        Assert.Equal(bestIndex, scan.Value.FirstBucketIndex);
        Assert.Equal(bestStatistic, scan.Value.Statistic, 1e-6 * Math.Max(1, bestStatistic));
    }

    /// <summary>Every admissible split recomputed from scratch, with the textbook formulas.</summary>
    private static (int Index, double Statistic) BruteForce(List<ChangePointBucket> buckets, MetricScale scale, ChangePointOptions options)
    {
        var bestIndex = -1;
        var best = double.NegativeInfinity;
        var n = buckets.Sum(b => b.Count);
        var q = buckets.Sum(b => b.SumOfSquares);
        for (var k = options.MinimumBucketsEachSide; k <= buckets.Count - options.MinimumBucketsEachSide; k++)
        {
            var left = buckets.Take(k).ToList();
            var right = buckets.Skip(k).ToList();
            long nl = left.Sum(b => b.Count), nr = right.Sum(b => b.Count);
            if (nl < options.MinimumSamplesEachSide || nr < options.MinimumSamplesEachSide || buckets[k].Count == 0)
            {
                continue;
            }

            double sl = left.Sum(b => b.Sum), sr = right.Sum(b => b.Sum);
            double statistic;
            if (scale == MetricScale.Rate)
            {
                statistic = Bernoulli(sl, nl) + Bernoulli(sr, nr) - Bernoulli(sl + sr, nl + nr);
            }
            else
            {
                var ssl = left.Sum(b => b.SumOfSquares) - (sl * sl / nl);
                var ssr = right.Sum(b => b.SumOfSquares) - (sr * sr / nr);
                var within = Math.Max(ssl + ssr, n * options.ValueNoiseFloor * options.ValueNoiseFloor * q / n);
                var between = (double)nl * nr / n * Math.Pow((sl / nl) - (sr / nr), 2);
                statistic = n / 2.0 * Math.Log(1 + (between / within));
            }

            if (statistic > best)
            {
                best = statistic;
                bestIndex = k;
            }
        }

        return (bestIndex, best);
    }

    private static double Bernoulli(double events, long count)
    {
        var p = events / count;
        return (events > 0 ? events * Math.Log(p) : 0) + (count - events > 0 ? (count - events) * Math.Log(1 - p) : 0);
    }

    private static ChangePointBucket Bucket(int minute, long count, double sum) => new(Origin.AddMinutes(minute), count, sum, sum);

    /// <summary>
    /// One bucket a minute. A rate's values are 0 or 1, so its SumOfSquares is its Sum; a value series' minutes hold
    /// equal values, so SumOfSquares = Sum²/Count.
    /// </summary>
    private static List<ChangePointBucket> Series(int minutes, Func<int, (long Count, double Sum)> minute, bool rate = true)
    {
        var buckets = new List<ChangePointBucket>(minutes);
        for (var i = 0; i < minutes; i++)
        {
            var (count, sum) = minute(i);
            buckets.Add(new ChangePointBucket(Origin.AddMinutes(i), count, sum, rate ? sum : count > 0 ? sum * sum / count : 0));
        }

        return buckets;
    }
}
