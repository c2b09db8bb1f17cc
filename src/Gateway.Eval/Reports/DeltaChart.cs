using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Statistics;
using ScottPlot;

namespace LlmGateway.Eval.Reports;

/// <summary>
/// A PNG strip for one metric: its delta as a point, the confidence interval as a range around it, a zero line and the
/// regression tolerance as a dashed line. One chart per metric rather than one shared axis, because the metrics'
/// deltas are in different units (pp, dollars, milliseconds): on a shared axis a 100 ms change would flatten a 5 pp one.
/// </summary>
internal static class DeltaChart
{
    public const int Width = 760;
    public const int Height = 130;

    /// <summary>The chart as PNG bytes, or null when the metric's numbers cannot be drawn (not finite).</summary>
    public static byte[]? Render(MetricComparison metric, MetricSource source, MetricDirection direction)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (!double.IsFinite(metric.Delta) || !double.IsFinite(metric.CiLow) || !double.IsFinite(metric.CiHigh) || !double.IsFinite(metric.Tolerance))
        {
            return null;
        }

        var (scale, unit) = Unit(source, metric.Kind);
        var delta = metric.Delta * scale;
        var low = metric.CiLow * scale;
        var high = metric.CiHigh * scale;

        // The tolerance sits on the regression side: below zero when higher is better, above it when lower is better.
        double? limit = metric.Tolerance > 0 ? (direction == MetricDirection.HigherIsBetter ? -1 : 1) * metric.Tolerance * scale : null;
        var color = Color.FromHex(HtmlReportRenderer.VerdictColor(metric));

        using var plot = new Plot();
        var zero = plot.Add.VerticalLine(0);
        zero.Color = Colors.Black;
        zero.LineWidth = 1;
        if (limit is { } at)
        {
            var tolerance = plot.Add.VerticalLine(at);
            tolerance.Color = Colors.Gray;
            tolerance.LineWidth = 1;
            tolerance.LinePattern = LinePattern.Dashed;
        }

        var range = plot.Add.Line(low, 0, high, 0);
        range.Color = color;
        range.LineWidth = 3;
        foreach (var end in (double[])[low, high])
        {
            var cap = plot.Add.Line(end, -0.25, end, 0.25);
            cap.Color = color;
            cap.LineWidth = 2;
        }

        var point = plot.Add.Marker(delta, 0);
        point.Color = color;
        point.Size = 12;

        // Vertical lines do not take part in auto-scaling: frame zero, the interval and the tolerance explicitly.
        var min = Math.Min(0, Math.Min(low, limit ?? 0));
        var max = Math.Max(0, Math.Max(high, limit ?? 0));
        var pad = max > min ? (max - min) * 0.1 : 1;
        plot.Axes.SetLimits(min - pad, max + pad, -1, 1);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0], [metric.Name]);
        plot.HideGrid();
        plot.XLabel($"delta ({unit}){(limit is null ? string.Empty : ", dashed: tolerance")}");
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    // The same units as the tables' deltas (see ReportFormat.Delta), so the chart and the row read alike.
    private static (double Scale, string Unit) Unit(MetricSource source, MetricKind kind) => (source, kind) switch
    {
        (MetricSource.Cost, _) => (1, "$"),
        (MetricSource.Latency, _) => (1, "ms"),
        (MetricSource.OutputTokens, _) => (1, "tokens"),
        (_, MetricKind.Rate) => (100, "pp"),
        _ => (1, "score"),
    };
}
