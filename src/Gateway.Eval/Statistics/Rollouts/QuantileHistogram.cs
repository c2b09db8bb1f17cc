using System.Globalization;

namespace LlmGateway.Eval.Statistics.Rollouts;

/// <summary>
/// One arm's readings of a non-negative metric (latency, time to first token) as counts in log-spaced buckets: 16 per
/// doubling (each about 4.4% wide), from 2⁻¹⁰ up, so a quantile is known to within one bucket whatever the unit and
/// the series can be summed bucket by bucket over minutes and hours as the moments are. Bucket 0 holds everything below
/// 2⁻¹⁰ (and any negative reading), the last bucket everything from 2²⁶ up. Immutable once built.
/// </summary>
public sealed class QuantileHistogram
{
    /// <summary>Buckets per doubling.</summary>
    public const int BucketsPerDoubling = 16;

    /// <summary>log₂ of the lower edge of bucket 1.</summary>
    private const int LowestExponent = -10;

    /// <summary>log₂ of the lower edge of the last bucket.</summary>
    private const int HighestExponent = 26;

    /// <summary>The last bucket (open above).</summary>
    public const int MaxBucket = 1 + ((HighestExponent - LowestExponent) * BucketsPerDoubling);

    /// <summary>A histogram without readings.</summary>
    public static QuantileHistogram Empty { get; } = new([], []);

    private readonly int[] _buckets;
    private readonly long[] _cumulative;

    private QuantileHistogram(int[] buckets, long[] cumulative)
    {
        _buckets = buckets;
        _cumulative = cumulative;
    }

    /// <summary>Readings counted.</summary>
    public long Count => _cumulative.Length == 0 ? 0 : _cumulative[^1];

    /// <summary>The bucket of <paramref name="value"/>: the one whose [lower, upper) range holds it.</summary>
    public static int BucketOf(double value)
    {
        if (double.IsNaN(value) || value < LowerEdge(1))
        {
            return 0;
        }

        if (value >= LowerEdge(MaxBucket))
        {
            return MaxBucket;
        }

        var bucket = Math.Clamp(1 + (int)Math.Floor((Math.Log2(value) - LowestExponent) * BucketsPerDoubling), 1, MaxBucket - 1);
        // The logarithm may land one bucket off at an edge: the edges, not the logarithm, define the buckets.
        while (bucket > 1 && value < LowerEdge(bucket))
        {
            bucket--;
        }

        while (bucket < MaxBucket && value >= UpperEdge(bucket))
        {
            bucket++;
        }

        return bucket;
    }

    /// <summary>The lowest value of <paramref name="bucket"/> (0 for bucket 0).</summary>
    public static double LowerEdge(int bucket)
    {
        ValidateBucket(bucket);
        return bucket == 0 ? 0 : Math.Pow(2, LowestExponent + ((bucket - 1) / (double)BucketsPerDoubling));
    }

    /// <summary>The value just past <paramref name="bucket"/> (+∞ for the last).</summary>
    public static double UpperEdge(int bucket)
    {
        ValidateBucket(bucket);
        return bucket == MaxBucket ? double.PositiveInfinity : LowerEdge(bucket + 1);
    }

    /// <summary>The histogram of <paramref name="values"/>.</summary>
    public static QuantileHistogram Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var counts = new Dictionary<int, long>();
        foreach (var value in values)
        {
            var bucket = BucketOf(value);
            counts[bucket] = counts.GetValueOrDefault(bucket) + 1;
        }

        return FromBuckets(counts);
    }

    /// <summary>
    /// The histogram of bucket counts (a bucket may come more than once: the counts add up). Throws on a bucket out of
    /// range or a negative count; a zero count adds nothing.
    /// </summary>
    public static QuantileHistogram FromBuckets(IEnumerable<KeyValuePair<int, long>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var merged = new SortedDictionary<int, long>();
        foreach (var (bucket, count) in counts)
        {
            ValidateBucket(bucket);
            ArgumentOutOfRangeException.ThrowIfNegative(count, nameof(counts));
            if (count > 0)
            {
                merged[bucket] = checked(merged.GetValueOrDefault(bucket) + count);
            }
        }

        if (merged.Count == 0)
        {
            return Empty;
        }

        var buckets = new int[merged.Count];
        var cumulative = new long[merged.Count];
        var i = 0;
        long total = 0;
        foreach (var (bucket, count) in merged)
        {
            total = checked(total + count);
            buckets[i] = bucket;
            cumulative[i] = total;
            i++;
        }

        return new QuantileHistogram(buckets, cumulative);
    }

    /// <summary>The range [lower, upper) of the bucket holding the <paramref name="rank"/>-th smallest reading (1-based).</summary>
    public (double Lower, double Upper) RankRange(long rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rank, Count);
        var i = Array.BinarySearch(_cumulative, rank);
        if (i < 0)
        {
            i = ~i;
        }

        return (LowerEdge(_buckets[i]), UpperEdge(_buckets[i]));
    }

    /// <summary>
    /// The empirical <paramref name="p"/>-quantile (the ⌈p·n⌉-th smallest reading), as the geometric middle of its
    /// bucket (the lower edge for the open last bucket, half the upper for bucket 0); null without readings.
    /// </summary>
    public double? Estimate(double p)
    {
        ValidateProbability(p);
        if (Count == 0)
        {
            return null;
        }

        // Rounded before the ceiling: 0.55 × 100 is 55.000000000000007 in binary, which is rank 55, not 56.
        var (lower, upper) = RankRange(Math.Clamp((long)Math.Ceiling(Math.Round(p * Count, 9)), 1, Count));
        return double.IsPositiveInfinity(upper) ? lower : lower == 0 ? upper / 2 : Math.Sqrt(lower * upper);
    }

    /// <summary>The bucket counts, lowest bucket first.</summary>
    public IEnumerable<KeyValuePair<int, long>> Buckets()
    {
        for (var i = 0; i < _buckets.Length; i++)
        {
            yield return new(_buckets[i], _cumulative[i] - (i == 0 ? 0 : _cumulative[i - 1]));
        }
    }

    /// <summary>Both histograms' readings together.</summary>
    public QuantileHistogram Combine(QuantileHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return FromBuckets(Buckets().Concat(other.Buckets()));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"n={Count}, buckets={_buckets.Length}");

    internal static void ValidateProbability(double p)
    {
        if (!(p > 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A quantile is in (0, 1).");
        }
    }

    private static void ValidateBucket(int bucket)
    {
        if (bucket is < 0 or > MaxBucket)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), bucket, $"A bucket is from 0 to {MaxBucket}.");
        }
    }
}
