using System.Globalization;

namespace LlmGateway.Behaviour;

/// <summary>
/// The hash field of one histogram bucket of one series: <c>version|variant|metric|h|bucket</c>, counting the readings
/// in that bucket (<see cref="Eval.Statistics.Rollouts.QuantileHistogram"/>), beside the series' <see cref="SeriesField"/>
/// sums in the same minute and hour hashes. Five parts, so readers of the sums pass over it.
/// </summary>
internal readonly record struct SeriesBucketField(int Version, string Variant, string Metric, int Bucket)
{
    private const string Marker = "h";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Version}|{Variant}|{Metric}|{Marker}|{Bucket}");

    public static bool TryParse(string field, out SeriesBucketField parsed)
    {
        parsed = default;
        var parts = field.Split('|');
        if (parts.Length != 5 || parts[3] != Marker
            || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version)
            || !int.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
            || bucket > Eval.Statistics.Rollouts.QuantileHistogram.MaxBucket)
        {
            return false;
        }

        parsed = new SeriesBucketField(version, parts[1], parts[2], bucket);
        return true;
    }
}
