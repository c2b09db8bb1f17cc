using System.Diagnostics;

namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// Waits until watched processes fall quiet: under <see cref="SettledCores"/> of a core over one half-second slice.
/// Both runners read a window's cost after it, so the work a window leaves behind (samples written and scored, usage
/// batches) is charged to it and the next window starts on a quiet system.
/// </summary>
internal static class QuietWait
{
    public const double SettledCores = 0.15;

    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits at most <paramref name="limit"/> (or until <paramref name="interrupt"/>); returns the seconds waited.</summary>
    /// <param name="cpu">The watched processes' CPU time so far.</param>
    public static async Task<double> UntilQuietAsync(Func<TimeSpan> cpu, TimeSpan limit, CancellationToken interrupt)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < limit && !interrupt.IsCancellationRequested)
        {
            var before = cpu();
            var at = Stopwatch.GetTimestamp();
            await Task.WhenAny(Task.Delay(Slice, interrupt));
            if ((cpu() - before).TotalSeconds / Stopwatch.GetElapsedTime(at).TotalSeconds < SettledCores)
            {
                break;
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
