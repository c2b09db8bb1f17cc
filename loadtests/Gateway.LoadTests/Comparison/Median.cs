namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// The median over rounds: one noisy round (another process woke up, a GC landed in it) moves a mean but not the
/// median, which is why the rounds are summarised this way. Even counts average the two middle values.
/// </summary>
internal static class Median
{
    public static double? Of(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static double? Of(IEnumerable<double> values) => Of(values.Select(v => (double?)v));
}
