using System.Diagnostics;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// The slow requests of one window (at least <see cref="SlowMs"/> from intended start to the end of the body), grouped
/// into stalls: requests due within <see cref="GapMs"/> of each other belong to one stall, whose length is its slowest
/// request. A stall of the whole gateway (a GC pause, a blocked store call on the path, a starved thread pool) delays
/// every request due while it lasts, so a handful of stalls per window is what decides a p99.
/// </summary>
/// <param name="Count">Stalls in the window.</param>
/// <param name="SlowRequests">Requests at or above <see cref="SlowMs"/>.</param>
/// <param name="LongestMs">The slowest request of the window's longest stall.</param>
internal sealed record Stalls(int Count, int SlowRequests, double LongestMs)
{
    public const double SlowMs = 50;
    public const double GapMs = 100;

    public static Stalls Of(IReadOnlyList<(long IntendedStart, double LatencyMs)> slow)
    {
        if (slow.Count == 0)
        {
            return new Stalls(0, 0, 0);
        }

        var ordered = slow.OrderBy(s => s.IntendedStart).ToList();
        var gapTicks = (long)(GapMs / 1000 * Stopwatch.Frequency);
        var count = 1;
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].IntendedStart - ordered[i - 1].IntendedStart > gapTicks)
            {
                count++;
            }
        }

        return new Stalls(count, ordered.Count, ordered.Max(s => s.LatencyMs));
    }

    public override string ToString() =>
        Count == 0 ? "none" : FormattableString.Invariant($"{Count} ({SlowRequests} requests, longest {LongestMs:0} ms)");
}
