namespace LlmGateway.LoadTests.Harness;

internal static class Percentiles
{
    /// <summary>Nearest rank: with 20 values p99 is the largest, which is what a small sample can honestly say.</summary>
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
