using System.Text;
using LlmGateway.Cli.Output;
using LlmGateway.Contracts.Behaviour;

namespace LlmGateway.Cli.Behaviour;

/// <summary>
/// <c>gatewayctl behaviour</c>'s table: a line naming the window, one row per series (its totals and a sparkline of
/// its per-step means), and a line saying how to read the sparklines.
/// </summary>
internal static class BehaviourTableRenderer
{
    public static string Render(BehaviourResponse response, string prompt, int sparklineWidth = Sparkline.DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(response);
        var series = response.Series ?? [];
        var groupBy = response.GroupBy ?? [];
        var text = new StringBuilder();
        var subject = $"{response.Prompt ?? prompt} in {Display.Text(response.Environment)}";
        var window = $"{Instant(response.From)} to {Instant(response.To)}";

        if (series.Count == 0)
        {
            text.Append($"No behaviour recorded for {subject} from {window}: no sampled response was scored.\n");
            return text.ToString();
        }

        var byVersion = groupBy.Contains("version", StringComparer.Ordinal) || series.Any(s => s.Version is not null);
        var byVariant = groupBy.Contains("variant", StringComparer.Ordinal) || series.Any(s => s.Variant is not null);
        var split = (byVersion, byVariant) switch
        {
            (true, true) => "by version and variant",
            (true, false) => "by version",
            (false, true) => "by variant",
            _ => "all arms together",
        };
        var step = response.StepSeconds > 0 ? $", step {StepOption.Format(response.StepSeconds)}" : "";
        text.Append($"{subject}, {window}{step}, {split}\n\n");

        string[] headers =
        [
            "METRIC",
            .. byVersion ? ["VERSION"] : Array.Empty<string>(),
            .. byVariant ? ["VARIANT"] : Array.Empty<string>(),
            "COUNT", "MEAN", "PASS", "ERRORS", "TREND",
        ];
        var table = new TextTable(headers) { MaxCellWidth = Math.Max(60, sparklineWidth) };
        foreach (var row in series)
        {
            var total = row.Total;
            var points = row.Points ?? [];
            table.AddRow(
            [
                row.Metric,
                .. byVersion ? [Display.Version(row.Version)] : Array.Empty<string?>(),
                .. byVariant ? [row.Variant] : Array.Empty<string?>(),
                Display.Number(total?.Count),
                BehaviourFormat.Mean(total?.Mean, row.Kind),
                BehaviourFormat.Percent(total?.PassRatio),
                Display.Number(total?.Errors),
                Sparkline.Render([.. points.Select(point => (point.Mean, point.Count))], sparklineWidth),
            ]);
        }

        text.Append(table.ToString());
        text.Append('\n').Append(Legend(series.Max(s => s.Points?.Count ?? 0), response.StepSeconds, sparklineWidth)).Append('\n');
        return text.ToString();
    }

    /// <summary>How to read the sparklines, and how much time one character covers once they are bucketed down.</summary>
    private static string Legend(int points, int stepSeconds, int width)
    {
        string per;
        if (stepSeconds <= 0)
        {
            per = points > width ? "per character" : "per step";
        }
        else if (points <= width)
        {
            per = "per " + StepOption.Format(stepSeconds);
        }
        else
        {
            // Uneven buckets cover one step more or less than their neighbours: the width in whole minutes is close enough.
            per = points % width == 0
                ? "per " + StepOption.Format((long)stepSeconds * points / width)
                : "per about " + StepOption.Format(60 * Math.Max(1, (long)Math.Round((double)stepSeconds * points / width / 60, MidpointRounding.AwayFromZero)));
        }

        return $"TREND: the mean {per}, from ▁ (the row's lowest) to █ (its highest); {Sparkline.NoData} nothing scored.";
    }

    /// <summary>A window bound, or "-" when an answer (read leniently) left it out.</summary>
    private static string Instant(DateTimeOffset instant) => Display.Instant(instant == default ? null : instant);
}
