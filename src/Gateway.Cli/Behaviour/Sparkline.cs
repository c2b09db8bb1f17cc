namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// A terminal sparkline: one block character (<c>▁▂▃▄▅▆▇█</c>) per value, scaled between the series' own minimum
/// and maximum, <see cref="NoData"/> where a bucket has no value. A series longer than the width is bucketed down
/// first, each character then standing for the (weighted) mean of the consecutive values it covers.
/// </summary>
internal static class Sparkline
{
    /// <summary>Wide enough to show an hour of one-minute steps as is, narrow enough to sit in a table row.</summary>
    public const int DefaultWidth = 60;

    /// <summary>An empty bucket: nothing was scored there (a space would vanish at the end of a line).</summary>
    public const char NoData = '·';

    /// <summary>What a series with a single level (every value equal) shows: the middle, neither low nor high.</summary>
    public const char Level = '▄';

    private const string Levels = "▁▂▃▄▅▆▇█";

    /// <summary>Values of equal weight, null for an empty bucket.</summary>
    public static string Render(IReadOnlyList<double?> values, int width = DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Render([.. values.Select(value => (value, 1L))], width);
    }

    /// <summary>Values with their weights (a bucket's sample count), so bucketing down weighs a busy minute more than a quiet one.</summary>
    public static string Render(IReadOnlyList<(double? Value, long Weight)> points, int width = DefaultWidth)
    {
        var values = Downsample(points, width);
        var present = values.OfType<double>().ToArray();
        if (present.Length == 0)
        {
            return new string(NoData, values.Count);
        }

        var min = present.Min();
        var max = present.Max();
        // Floating-point noise (0.1 against 0.1000000000001) is not a change worth a full-height bar.
        var flat = max - min <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(min), Math.Abs(max)));
        var line = new char[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            line[i] = values[i] switch
            {
                null => NoData,
                _ when flat => Level,
                { } value => Levels[(int)Math.Round((value - min) / (max - min) * (Levels.Length - 1), MidpointRounding.AwayFromZero)],
            };
        }

        return new string(line);
    }

    /// <summary>
    /// At most <paramref name="width"/> values: the series itself when it fits, else <paramref name="width"/> buckets of
    /// consecutive values (as even as the counts allow), each the weighted mean of its values, null when it has none.
    /// A value that is null, not finite, or of no weight counts as empty.
    /// </summary>
    public static IReadOnlyList<double?> Downsample(IReadOnlyList<(double? Value, long Weight)> points, int width)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);

        if (points.Count <= width)
        {
            return [.. points.Select(point => Usable(point) ? point.Value : null)];
        }

        var buckets = new double?[width];
        for (var bucket = 0; bucket < width; bucket++)
        {
            var start = (int)((long)bucket * points.Count / width);
            var end = (int)((long)(bucket + 1) * points.Count / width);
            double sum = 0;
            double weight = 0;
            for (var i = start; i < end; i++)
            {
                if (Usable(points[i]))
                {
                    sum += points[i].Value!.Value * points[i].Weight;
                    weight += points[i].Weight;
                }
            }

            buckets[bucket] = weight > 0 ? sum / weight : null;
        }

        return buckets;
    }

    private static bool Usable((double? Value, long Weight) point) =>
        point.Value is { } value && double.IsFinite(value) && point.Weight > 0;
}
