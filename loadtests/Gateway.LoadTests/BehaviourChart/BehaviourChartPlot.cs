using System.Globalization;
using LlmGateway.Contracts.Behaviour;
using ScottPlot;

namespace LlmGateway.LoadTests.BehaviourChart;

/// <summary>
/// The PNG of <c>behaviour-chart</c>: the refusal rate per simulated minute for each arm (lines with markers, minutes
/// without samples left out), every arm together (what the detector scans) thin and dashed, the canary-start activation
/// as a vertical line, and the detected change as a shaded span over its boundary minute with its before and after
/// levels. Same look as <see cref="Reporting.LatencyChart"/>: default ScottPlot style, 1000×640 (taller, for the legend's six rows above the data).
/// </summary>
internal static class BehaviourChartPlot
{
    public static void Save(
        string path,
        string title,
        DateTimeOffset start,
        IReadOnlyList<ArmSeries> arms,
        ArmSeries? allArms,
        NearestActivation? canaryStart,
        BehaviourChange? change)
    {
        var plot = new Plot();
        double Minute(DateTimeOffset at) => (at - start).TotalMinutes;
        var palette = new[] { Colors.SteelBlue, Colors.OrangeRed, Colors.SeaGreen, Colors.Purple };
        var top = 0.05;
        var right = 1.0;

        if (allArms is not null)
        {
            var (xs, ys) = Points(allArms, Minute);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = allArms.Label;
            line.Color = Colors.Gray;
            line.LineWidth = 1.5f;
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 0;
            right = Math.Max(right, xs.DefaultIfEmpty(0).Max() + 0.5);
        }

        for (var i = 0; i < arms.Count; i++)
        {
            var (xs, ys) = Points(arms[i], Minute);
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = arms[i].Label;
            line.Color = palette[i % palette.Length];
            line.LineWidth = 2;
            line.MarkerSize = 8;
            line.MarkerShape = MarkerShape.FilledCircle;
            top = Math.Max(top, ys.DefaultIfEmpty(0).Max());
            right = Math.Max(right, xs.DefaultIfEmpty(0).Max() + 0.5);
        }

        if (change is not null)
        {
            var from = Minute(change.WindowStart);
            var to = Minute(change.WindowEnd);
            var span = plot.Add.HorizontalSpan(from, to);
            span.FillStyle.Color = Colors.Gold.WithAlpha(0.35);
            span.LineStyle.Width = 0;
            span.LegendText = "detected: " + Describe(change);

            var before = plot.Add.Line(0, change.Before, from, change.Before);
            before.Color = Colors.DarkGoldenRod;
            before.LinePattern = LinePattern.Dotted;
            before.LineWidth = 2;
            before.LegendText = string.Create(CultureInfo.InvariantCulture, $"detector's levels: {change.Before:0.###} before, {change.After:0.###} after");
            var after = plot.Add.Line(from, change.After, right, change.After);
            after.Color = Colors.DarkGoldenRod;
            after.LinePattern = LinePattern.Dotted;
            after.LineWidth = 2;
            top = Math.Max(top, change.After);
        }

        if (canaryStart is not null)
        {
            var x = Minute(canaryStart.At);
            var line = plot.Add.VerticalLine(x);
            line.Color = Colors.Black;
            line.LineWidth = 1.5f;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{canaryStart.Action} v{canaryStart.Version} by {canaryStart.Actor} (\"{canaryStart.Reason}\")");
            var label = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{canaryStart.Action} v{canaryStart.Version} "), x, top * 1.5);
            label.LabelFontSize = 13;
            label.LabelBold = true;
            label.LabelAlignment = Alignment.UpperRight;
        }

        // Headroom above the data for the legend (upper right) and the activation's label (upper left, by its line).
        plot.Axes.SetLimits(-0.25, right + 0.25, -0.02, top * 1.55);
        plot.Title(title);
        plot.XLabel("simulated minute since the first request (each point: one minute's bucket, drawn at its middle)");
        plot.YLabel("refusal rate (share of scored samples)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1000, 640);
    }

    /// <summary>"refusal ↑ 0→0.14, +0.14 CI [0.11, 0.17], boundary 12:05".</summary>
    public static string Describe(BehaviourChange change) => string.Create(
        CultureInfo.InvariantCulture,
        $"{change.Metric} {(change.Direction == "increase" ? "↑" : "↓")} {change.Before:0.###}→{change.After:0.###}, CI [{change.CiLow:0.###}, {change.CiHigh:0.###}]");

    /// <summary>A point stands for its whole minute: drawn at the minute's middle, so the integer ticks are the buckets' edges.</summary>
    private static (double[] Xs, double[] Ys) Points(ArmSeries series, Func<DateTimeOffset, double> minute)
    {
        var points = series.Points.Where(p => p.Count > 0 && p.Mean is not null).ToList();
        return ([.. points.Select(p => minute(p.At) + 0.5)], [.. points.Select(p => p.Mean!.Value)]);
    }
}
