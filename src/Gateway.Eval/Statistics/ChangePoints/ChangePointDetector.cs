using System.Runtime.InteropServices;
using LlmGateway.Eval.Statistics.Sequential;

namespace LlmGateway.Eval.Statistics.ChangePoints;

/// <summary>
/// A generalised likelihood-ratio (GLR) scan for one change in the mean of a rolled-up series (Siegmund and
/// Venkatraman 1995): for every admissible split of the window into an old level and a new one, the log-likelihood
/// of two segments (each with its own mean) minus that of one segment, maximised over the split. A Bernoulli
/// likelihood for rates (0·log 0 = 0, so a 0% baseline is fine) and a Gaussian one with the pooled within-segment
/// variance for values. Each call is O(buckets) and allocates nothing but its result: one pass for the totals, then
/// the scan carries the left segment's sums and takes the right one's as total minus left.
/// </summary>
public static class ChangePointDetector
{
    /// <summary>
    /// Scans the latest <see cref="ChangePointOptions.MaxWindowBuckets"/> buckets of <paramref name="buckets"/> and
    /// returns the most likely change when its statistic reaches the scale's threshold, otherwise null. Never throws
    /// on empty or degenerate series (no buckets, empty minutes, all zeros, zero variance); buckets with a
    /// non-positive count or a non-finite sum are treated as empty minutes.
    /// </summary>
    public static DetectedChange? Detect(IReadOnlyList<ChangePointBucket> buckets, MetricScale scale, ChangePointOptions options)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        return Detect(AsSpan(buckets), scale, options);
    }

    /// <inheritdoc cref="Detect(IReadOnlyList{ChangePointBucket}, MetricScale, ChangePointOptions)"/>
    public static DetectedChange? Detect(ReadOnlySpan<ChangePointBucket> buckets, MetricScale scale, ChangePointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var threshold = options.ThresholdFor(scale);
        if (Scan(buckets, scale, options) is not { } split || !(split.Statistic >= threshold))
        {
            return null;
        }

        var z = StandardNormal.Quantile(0.5 + (options.Confidence / 2));
        var difference = split.After - split.Before;
        return new DetectedChange(
            split.FirstBucketIndex,
            buckets[split.FirstBucketIndex].Start,
            split.WindowStartIndex,
            scale,
            split.Before,
            split.After,
            difference,
            difference - (z * split.StandardError),
            difference + (z * split.StandardError),
            options.Confidence,
            split.SamplesBefore,
            split.SamplesAfter,
            split.Statistic,
            threshold);
    }

    /// <summary>The best admissible split whatever its statistic, or null when no split is admissible.</summary>
    internal static ChangePointSplit? Scan(ReadOnlySpan<ChangePointBucket> buckets, MetricScale scale, ChangePointOptions options)
    {
        var end = buckets.Length;
        var start = Math.Max(0, end - options.MaxWindowBuckets);
        if (end - start < 2 * options.MinimumBucketsEachSide)
        {
            return null;
        }

        return scale == MetricScale.Rate ? ScanRate(buckets, start, end, options) : ScanValue(buckets, start, end, options);
    }

    private static ChangePointSplit? ScanRate(ReadOnlySpan<ChangePointBucket> buckets, int start, int end, ChangePointOptions options)
    {
        long total = 0;
        var events = 0.0;
        for (var i = start; i < end; i++)
        {
            if (RateBucket(buckets[i], out var count, out var sum))
            {
                total += count;
                events += sum;
            }
        }

        if (total < 2 * options.MinimumSamplesEachSide)
        {
            return null;
        }

        var whole = BernoulliLogLikelihood(events, total);
        var best = double.NegativeInfinity;
        var bestIndex = -1;
        long bestLeft = 0;
        var bestLeftEvents = 0.0;
        long left = 0;
        var leftEvents = 0.0;
        for (var k = start + 1; k < end; k++)
        {
            if (RateBucket(buckets[k - 1], out var count, out var sum))
            {
                left += count;
                leftEvents += sum;
            }

            if (!Admissible(buckets[k], k, start, end, left, total - left, options))
            {
                continue;
            }

            var statistic = BernoulliLogLikelihood(leftEvents, left) + BernoulliLogLikelihood(events - leftEvents, total - left) - whole;
            if (statistic > best)
            {
                best = statistic;
                bestIndex = k;
                bestLeft = left;
                bestLeftEvents = leftEvents;
            }
        }

        if (bestIndex < 0)
        {
            return null;
        }

        var right = total - bestLeft;
        var before = bestLeftEvents / bestLeft;
        var after = Math.Clamp((events - bestLeftEvents) / right, 0, 1);
        var standardError = Math.Sqrt((before * (1 - before) / bestLeft) + (after * (1 - after) / right));
        return new ChangePointSplit(bestIndex, start, Math.Max(0, best), before, after, standardError, bestLeft, right);
    }

    private static ChangePointSplit? ScanValue(ReadOnlySpan<ChangePointBucket> buckets, int start, int end, ChangePointOptions options)
    {
        // Pass 1: totals, for the reference level c the sums are centred on (which keeps the between-segment sums of
        // squares free of cancellation) and the variance floor.
        long total = 0;
        var sum = default(CompensatedSum);
        var squares = default(CompensatedSum);
        for (var i = start; i < end; i++)
        {
            if (ValueBucket(buckets[i], out var count, out var s, out var q))
            {
                total += count;
                sum.Add(s);
                squares.Add(q);
            }
        }

        if (total < 2 * options.MinimumSamplesEachSide)
        {
            return null;
        }

        var reference = sum.Value / total;
        var floorVariance = options.ValueNoiseFloor * options.ValueNoiseFloor * Math.Max(0, squares.Value / total);

        // Pass 2: the centred totals. Per bucket, w = within-minute sum of squares, d = Σ(x − c), e = d²/n; a segment's
        // sum of squares about its own mean is Σw + Σe − (Σd)²/N.
        var within = default(CompensatedSum);
        var centred = default(CompensatedSum);
        var between = default(CompensatedSum);
        for (var i = start; i < end; i++)
        {
            if (ValueBucket(buckets[i], out var count, out var s, out var q))
            {
                Centre(count, s, q, reference, out var w, out var d, out var e);
                within.Add(w);
                centred.Add(d);
                between.Add(e);
            }
        }

        var totalD = centred.Value;
        var totalSquares = Math.Max(0, within.Value + between.Value - (totalD * totalD / total));

        // Pass 3: the scan.
        var best = double.NegativeInfinity;
        var bestIndex = -1;
        long bestLeft = 0;
        double bestLeftD = 0, bestLeftSquares = 0;
        long left = 0;
        double leftW = 0, leftD = 0, leftE = 0;
        for (var k = start + 1; k < end; k++)
        {
            if (ValueBucket(buckets[k - 1], out var count, out var s, out var q))
            {
                Centre(count, s, q, reference, out var w, out var d, out var e);
                left += count;
                leftW += w;
                leftD += d;
                leftE += e;
            }

            var right = total - left;
            if (!Admissible(buckets[k], k, start, end, left, right, options))
            {
                continue;
            }

            var rightD = totalD - leftD;
            var gap = (leftD / left) - (rightD / right);
            var betweenSquares = (double)left * right / total * gap * gap;
            var withinSquares = Math.Max(Math.Max(0, totalSquares - betweenSquares), total * floorVariance);
            var statistic = betweenSquares > 0 && withinSquares > 0 ? total / 2.0 * Math.Log(1 + (betweenSquares / withinSquares)) : 0;
            if (statistic > best)
            {
                best = statistic;
                bestIndex = k;
                bestLeft = left;
                bestLeftD = leftD;
                bestLeftSquares = Math.Max(0, leftW + leftE - (leftD * leftD / left));
            }
        }

        if (bestIndex < 0)
        {
            return null;
        }

        var bestRight = total - bestLeft;
        var bestRightD = totalD - bestLeftD;
        var rightSquares = Math.Max(0, totalSquares - bestLeftSquares - ((double)bestLeft * bestRight / total * Square((bestLeftD / bestLeft) - (bestRightD / bestRight))));
        var leftVariance = Math.Max(bestLeftSquares / (bestLeft - 1), floorVariance);
        var rightVariance = Math.Max(rightSquares / (bestRight - 1), floorVariance);
        var standardError = Math.Sqrt((leftVariance / bestLeft) + (rightVariance / bestRight));
        return new ChangePointSplit(
            bestIndex,
            start,
            best,
            reference + (bestLeftD / bestLeft),
            reference + (bestRightD / bestRight),
            standardError,
            bestLeft,
            bestRight);
    }

    /// <summary>The list's storage when it has one (arrays, lists, array segments), else a copy.</summary>
    private static ReadOnlySpan<ChangePointBucket> AsSpan(IReadOnlyList<ChangePointBucket> buckets) => buckets switch
    {
        ChangePointBucket[] array => array,
        List<ChangePointBucket> list => CollectionsMarshal.AsSpan(list),
        ArraySegment<ChangePointBucket> segment => segment.AsSpan(),
        _ => buckets.ToArray(),
    };

    /// <summary>
    /// A split before bucket <paramref name="k"/> is considered when both sides have enough minutes and samples and
    /// the new level's first bucket has samples (after an empty stretch, the new level is first seen where data
    /// resumes, and the statistic is the same anywhere in the stretch).
    /// </summary>
    private static bool Admissible(ChangePointBucket first, int k, int start, int end, long left, long right, ChangePointOptions options) =>
        k - start >= options.MinimumBucketsEachSide
        && end - k >= options.MinimumBucketsEachSide
        && left >= options.MinimumSamplesEachSide
        && right >= options.MinimumSamplesEachSide
        && first.Count > 0;

    private static bool RateBucket(ChangePointBucket bucket, out long count, out double events)
    {
        count = bucket.Count;
        events = bucket.Sum;
        if (count <= 0 || !double.IsFinite(events))
        {
            count = 0;
            events = 0;
            return false;
        }

        events = Math.Clamp(events, 0, count);
        return true;
    }

    private static bool ValueBucket(ChangePointBucket bucket, out long count, out double sum, out double squares)
    {
        count = bucket.Count;
        sum = bucket.Sum;
        squares = bucket.SumOfSquares;
        if (count <= 0 || !double.IsFinite(sum) || !double.IsFinite(squares))
        {
            count = 0;
            sum = 0;
            squares = 0;
            return false;
        }

        return true;
    }

    private static void Centre(long count, double sum, double squares, double reference, out double within, out double centred, out double between)
    {
        within = Math.Max(0, squares - (sum * sum / count));
        centred = sum - (count * reference);
        between = centred * centred / count;
    }

    /// <summary>The maximised Bernoulli log-likelihood of <paramref name="events"/> in <paramref name="count"/> trials, with 0·log 0 = 0.</summary>
    private static double BernoulliLogLikelihood(double events, long count)
    {
        var misses = count - events;
        var result = 0.0;
        if (events > 0)
        {
            result += events * Math.Log(events / count);
        }

        if (misses > 0)
        {
            result += misses * Math.Log(misses / count);
        }

        return result;
    }

    private static double Square(double x) => x * x;
}
