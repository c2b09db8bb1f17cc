using System.Globalization;

namespace LlmGateway.Behaviour;

/// <summary>
/// The hash field of one statistic of one series: <c>version|variant|metric|stat</c>. Stats: <c>n</c> values,
/// <c>s</c> their sum, <c>q</c> their sum of squares (value metrics), <c>p</c> passes, <c>f</c> fails, <c>e</c> errors.
/// </summary>
internal readonly record struct SeriesField(int Version, string Variant, string Metric, char Stat)
{
    public const char Count = 'n';
    public const char Sum = 's';
    public const char SumOfSquares = 'q';
    public const char Passes = 'p';
    public const char Fails = 'f';
    public const char Errors = 'e';

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Version}|{Variant}|{Metric}|{Stat}");

    public static bool TryParse(string field, out SeriesField parsed)
    {
        parsed = default;
        var parts = field.Split('|');
        if (parts.Length != 4 || parts[3].Length != 1 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        parsed = new SeriesField(version, parts[1], parts[2], parts[3][0]);
        return true;
    }
}
