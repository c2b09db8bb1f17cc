using System.Diagnostics;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Waits until a Stopwatch timestamp on the calling (dedicated) thread. Timer-based waits such as
/// <see cref="Task.Delay(int)"/> wake a millisecond or more late and then hop through the thread pool; in the
/// open model every bit of that lateness lands in the measured latency, as if the server had been slow. So this
/// blocks for all but the last fraction of a millisecond and yield-spins the rest, giving up the CPU to
/// anything runnable (the server under test may share the machine).
/// </summary>
internal static class ArrivalClock
{
    // Blocking waits on Linux overshoot by tens of microseconds; waking this early leaves room for that.
    private const double SpinWindowMilliseconds = 0.2;

    /// <summary>Returns false if <paramref name="stop"/> fired first. Never returns before the due time: early sends would flatter latency.</summary>
    public static bool WaitUntil(long dueTimestamp, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueTimestamp);
            if (remaining <= TimeSpan.Zero)
            {
                return true;
            }

            var blockMilliseconds = (int)(remaining.TotalMilliseconds - SpinWindowMilliseconds);
            if (blockMilliseconds >= 1)
            {
                // Wakes at once on stop, so a slow rate (minutes between requests) still stops promptly.
                stop.WaitHandle.WaitOne(blockMilliseconds);
            }
            else
            {
                Thread.Yield();
            }
        }

        return false;
    }
}
