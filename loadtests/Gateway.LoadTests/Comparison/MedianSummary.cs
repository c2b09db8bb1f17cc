using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// Each percentile's median over the rounds' summaries (the p99 of the median round, not the p99 of all requests
/// pooled): a round disturbed by something else on the box moves one value, not the result.
/// </summary>
internal static class MedianSummary
{
    public static LatencySummary? Of(IEnumerable<LatencySummary?> summaries)
    {
        var present = summaries.OfType<LatencySummary>().ToList();
        if (present.Count == 0)
        {
            return null;
        }

        return new LatencySummary(
            present.Sum(s => s.Count),
            Median.Of(present.Select(s => s.P50Ms))!.Value,
            Median.Of(present.Select(s => s.P90Ms))!.Value,
            Median.Of(present.Select(s => s.P99Ms))!.Value,
            Median.Of(present.Select(s => s.P999Ms))!.Value,
            Median.Of(present.Select(s => s.MaxMs))!.Value,
            Median.Of(present.Select(s => s.MeanMs))!.Value);
    }
}
