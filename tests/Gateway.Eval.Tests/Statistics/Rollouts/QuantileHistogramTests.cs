using CsCheck;
using LlmGateway.Eval.Statistics.Rollouts;

namespace LlmGateway.Eval.Tests.Statistics.Rollouts;

public sealed class QuantileHistogramTests
{
    [Fact]
    public void Every_value_falls_inside_its_buckets_edges_and_a_bucket_is_at_most_4_5_percent_wide()
    {
        Gen.Double[1e-4, 1e9].Sample(value =>
        {
            var bucket = QuantileHistogram.BucketOf(value);
            Assert.InRange(value, QuantileHistogram.LowerEdge(bucket), Math.BitDecrement(QuantileHistogram.UpperEdge(bucket)));
            if (bucket is > 0 and < QuantileHistogram.MaxBucket)
            {
                Assert.InRange(QuantileHistogram.UpperEdge(bucket) / QuantileHistogram.LowerEdge(bucket), 1.04, 1.045);
            }
        });
    }

    [Fact]
    public void Edges_belong_to_the_bucket_above_them_and_the_extremes_to_the_first_and_last()
    {
        for (var bucket = 1; bucket <= QuantileHistogram.MaxBucket; bucket++)
        {
            Assert.Equal(bucket, QuantileHistogram.BucketOf(QuantileHistogram.LowerEdge(bucket)));
            Assert.Equal(bucket - 1, QuantileHistogram.BucketOf(Math.BitDecrement(QuantileHistogram.LowerEdge(bucket))));
        }

        Assert.Equal(0, QuantileHistogram.BucketOf(0));
        Assert.Equal(0, QuantileHistogram.BucketOf(-5));
        Assert.Equal(0, QuantileHistogram.BucketOf(double.NaN));
        Assert.Equal(QuantileHistogram.MaxBucket, QuantileHistogram.BucketOf(double.PositiveInfinity));
        Assert.Equal(double.PositiveInfinity, QuantileHistogram.UpperEdge(QuantileHistogram.MaxBucket));
    }

    [Fact]
    public void The_estimate_is_within_the_bucket_of_the_exact_order_statistic()
    {
        Gen.Double[0.5, 60_000].Array[1, 400].Select(Gen.Double[0.5, 0.99]).Sample((values, p) =>
        {
            var histogram = QuantileHistogram.Of(values);
            var sorted = values.Order().ToArray();
            // The ⌈p·n⌉-th smallest, p·n read to nine decimals (2/3 × 3 is 2, not the 3 its last binary digit makes it).
            var exact = sorted[(int)Math.Ceiling(Math.Round(p * sorted.Length, 9)) - 1];
            var bucket = QuantileHistogram.BucketOf(exact);
            Assert.Equal(values.Length, histogram.Count);
            Assert.InRange(histogram.Estimate(p)!.Value, QuantileHistogram.LowerEdge(bucket), QuantileHistogram.UpperEdge(bucket));
        });
    }

    [Fact]
    public void A_percentile_of_a_round_count_is_its_exact_rank_not_the_next_one()
    {
        // 0.55 × 100 is a hair above 55 in binary: the 55th reading, not the 56th (readings 10% apart, each in its own bucket).
        var histogram = QuantileHistogram.Of(Enumerable.Range(1, 100).Select(i => Math.Pow(1.1, i)));
        var bucket = QuantileHistogram.BucketOf(Math.Pow(1.1, 55));

        Assert.InRange(histogram.Estimate(0.55)!.Value, QuantileHistogram.LowerEdge(bucket), QuantileHistogram.UpperEdge(bucket));
    }

    [Fact]
    public void Buckets_given_twice_add_up_and_combining_equals_counting_together()
    {
        var histogram = QuantileHistogram.FromBuckets([new(10, 2), new(5, 1), new(10, 3), new(7, 0)]);
        Assert.Equal([new(5, 1L), new(10, 5L)], histogram.Buckets());
        Assert.Equal(6, histogram.Count);
        Assert.Equal((QuantileHistogram.LowerEdge(5), QuantileHistogram.UpperEdge(5)), histogram.RankRange(1));
        Assert.Equal((QuantileHistogram.LowerEdge(10), QuantileHistogram.UpperEdge(10)), histogram.RankRange(2));
        Assert.Equal((QuantileHistogram.LowerEdge(10), QuantileHistogram.UpperEdge(10)), histogram.RankRange(6));

        double[] a = [1, 2, 3, 400], b = [5, 5000];
        Assert.Equal(QuantileHistogram.Of([.. a, .. b]).Buckets(), QuantileHistogram.Of(a).Combine(QuantileHistogram.Of(b)).Buckets());
        Assert.Null(QuantileHistogram.Empty.Estimate(0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantileHistogram.FromBuckets([new(QuantileHistogram.MaxBucket + 1, 1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantileHistogram.FromBuckets([new(3, -1)]));
    }
}
