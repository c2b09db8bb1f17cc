using System.Globalization;

namespace LlmGateway.Behaviour;

/// <summary>
/// A rollout plan's metric that judges a quantile of a series with a histogram: <c>latency_ms.p95</c>,
/// <c>ttft_ms.p99</c> (<c>.p50</c> to <c>.p99</c> of a series in <see cref="OnlineMetrics.WithQuantiles"/>). Reserved:
/// a bundle's own metric may not take such a name.
/// </summary>
internal static class QuantileMetricName
{
    public const int Lowest = 50;
    public const int Highest = 99;

    /// <summary>Every quantile name's pattern, for messages.</summary>
    public static string Forms => string.Join(", ", OnlineMetrics.WithQuantiles.Order(StringComparer.Ordinal).Select(s => $"{s}.p{Lowest}…{s}.p{Highest}"));

    public static bool TryParse(string? name, out string series, out double quantile)
    {
        series = "";
        quantile = 0;
        var dot = name?.LastIndexOf(".p", StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || !OnlineMetrics.WithQuantiles.Contains(name![..dot]))
        {
            return false;
        }

        var digits = name[(dot + 2)..];
        if (digits.Length != 2 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) || percent is < Lowest or > Highest)
        {
            return false;
        }

        series = name[..dot];
        quantile = percent / 100.0;
        return true;
    }
}
