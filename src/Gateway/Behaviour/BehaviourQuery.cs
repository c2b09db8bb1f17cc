using System.Globalization;
using LlmGateway.Contracts.Behaviour;

namespace LlmGateway.Behaviour;

/// <summary>
/// Reads a prompt's series for one environment and window: per step bucket and per group (version, arm, both
/// or neither), every metric asked for. Hours are read from the hourly rollups when the step is whole hours.
/// </summary>
internal sealed class BehaviourQuery(BehaviourStore store)
{
    public const int MaxPoints = 1440;

    public async Task<BehaviourResponse> ReadAsync(BehaviourRequest request)
    {
        var stepMinutes = request.StepSeconds / 60;
        var hourly = stepMinutes % 60 == 0;
        // Hourly rollups start on the hour: so do the buckets that read them.
        var align = hourly ? 60 : 1;
        var fromMinute = request.From.ToUnixTimeSeconds() / 60 / align * align;
        var toMinute = ((request.To.ToUnixTimeSeconds() + 59) / 60 + align - 1) / align * align;
        var kinds = await store.MetricsAsync(request.Prompt, request.Environment);
        var buckets = await store.ReadAsync(request.Prompt, request.Environment, fromMinute, toMinute, hourly);

        var points = (int)((toMinute - fromMinute + stepMinutes - 1) / stepMinutes);
        var series = new Dictionary<(string Metric, int? Version, string? Variant), SeriesAccumulator[]>();
        foreach (var (minute, entries) in buckets)
        {
            var index = (int)((Math.Max(minute, fromMinute) - fromMinute) / stepMinutes);
            if (index >= points)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (!SeriesField.TryParse(entry.Name!, out var field)
                    || (request.Metrics.Count > 0 && !request.Metrics.Contains(field.Metric))
                    || !double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    continue;
                }

                var key = (field.Metric, request.ByVersion ? field.Version : (int?)null, request.ByVariant ? field.Variant : null);
                if (!series.TryGetValue(key, out var row))
                {
                    row = new SeriesAccumulator[points];
                    series[key] = row;
                }

                (row[index] ??= new SeriesAccumulator()).Add(field.Stat, value);
            }
        }

        var result = new List<BehaviourSeries>(series.Count);
        foreach (var ((metric, version, variant), row) in series.OrderBy(s => s.Key.Metric, StringComparer.Ordinal)
                     .ThenBy(s => s.Key.Version).ThenBy(s => s.Key.Variant, StringComparer.Ordinal))
        {
            var kind = kinds.TryGetValue(metric, out var k) ? k : MetricKind.Value;
            var total = new SeriesAccumulator();
            var list = new BehaviourPoint[points];
            for (var i = 0; i < points; i++)
            {
                var at = DateTimeOffset.FromUnixTimeSeconds((fromMinute + ((long)i * stepMinutes)) * 60);
                var bucket = row[i] ?? new SeriesAccumulator();
                total.Add(bucket);
                list[i] = bucket.ToPoint(at, kind);
            }

            result.Add(new BehaviourSeries
            {
                Metric = metric,
                Kind = BehaviourStore.KindName(kind),
                Version = version,
                Variant = variant,
                Points = list,
                Total = total.ToPoint(DateTimeOffset.FromUnixTimeSeconds(fromMinute * 60), kind),
            });
        }

        return new BehaviourResponse
        {
            Prompt = request.Prompt,
            Environment = request.Environment,
            From = DateTimeOffset.FromUnixTimeSeconds(fromMinute * 60),
            To = DateTimeOffset.FromUnixTimeSeconds(toMinute * 60),
            StepSeconds = request.StepSeconds,
            GroupBy = [.. new[] { request.ByVersion ? "version" : null, request.ByVariant ? "variant" : null }.OfType<string>()],
            Series = result,
        };
    }
}
