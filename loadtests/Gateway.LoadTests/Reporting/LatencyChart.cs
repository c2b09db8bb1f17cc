using ScottPlot;

namespace LlmGateway.LoadTests.Reporting;

/// <summary>A PNG of latency percentiles, one line per system, so a comparison can be read at a glance.</summary>
internal static class LatencyChart
{
    private static readonly string[] Labels = ["p50", "p90", "p99", "p99.9", "max"];

    public static void Save(string path, string title, IReadOnlyList<(string Name, LatencySummary? Summary)> series, string yLabel = "latency (ms)")
    {
        var plot = new Plot();
        double[] xs = [0, 1, 2, 3, 4];
        foreach (var (name, summary) in series)
        {
            if (summary is null)
            {
                continue;
            }

            double[] ys = [summary.P50Ms, summary.P90Ms, summary.P99Ms, summary.P999Ms, summary.MaxMs];
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, Labels);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.XLabel("percentile");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 560);
    }

    /// <summary>A value over time (the soak's RSS and heap).</summary>
    public static void SaveSeries(string path, string title, string yLabel, IReadOnlyList<(string Name, double[] Xs, double[] Ys)> series)
    {
        var plot = new Plot();
        foreach (var (name, xs, ys) in series)
        {
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = 4;
        }

        plot.Title(title);
        plot.XLabel("seconds since the end of the warmup");
        plot.YLabel(yLabel);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1000, 560);
    }
}
