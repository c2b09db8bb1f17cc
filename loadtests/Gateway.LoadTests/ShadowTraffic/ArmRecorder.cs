using System.Diagnostics;
using LlmGateway.LoadTests.Execution;
using LlmGateway.LoadTests.Measurement;
using LlmGateway.LoadTests.Reporting;

namespace LlmGateway.LoadTests.ShadowTraffic;

/// <summary>
/// Sees every outcome of one arm's runs (warm-ups and windows): counts its successes (each A success should make one
/// shadow copy) and, while a window is measured, records its latency into one histogram pooled over every window of the
/// arm (the same definition as the per-window report: intended start to the end of the body, successes only). Observers
/// are called on any thread, so the histogram takes a lock; at a few hundred requests per second it is never contended.
/// </summary>
internal sealed class ArmRecorder
{
    private readonly Lock _gate = new();
    private readonly DurationHistogram _pooled = new();
    private readonly List<(long IntendedStart, double LatencyMs)> _slow = [];
    private long _succeeded;
    private long _failed;
    private int _measuring;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>True while a measured window runs; its outcomes also go into the pooled histogram.</summary>
    public bool Measuring
    {
        get => Volatile.Read(ref _measuring) == 1;
        set => Volatile.Write(ref _measuring, value ? 1 : 0);
    }

    public void Observe(RequestOutcome outcome)
    {
        if (outcome.Aborted)
        {
            return;
        }

        if (outcome.Error is not null)
        {
            Interlocked.Increment(ref _failed);
            return;
        }

        Interlocked.Increment(ref _succeeded);
        if (Measuring)
        {
            var latency = Stopwatch.GetElapsedTime(outcome.IntendedStart, outcome.CompletedAt);
            lock (_gate)
            {
                _pooled.Record(latency);
                if (latency.TotalMilliseconds >= Stalls.SlowMs)
                {
                    _slow.Add((outcome.IntendedStart, latency.TotalMilliseconds));
                }
            }
        }
    }

    /// <summary>The stalls of the window just measured (its slow requests grouped), and forgets them.</summary>
    public Stalls TakeStalls()
    {
        lock (_gate)
        {
            var stalls = Stalls.Of(_slow);
            _slow.Clear();
            return stalls;
        }
    }

    public LatencySummary? Pooled()
    {
        lock (_gate)
        {
            return _pooled.Summarize();
        }
    }
}
