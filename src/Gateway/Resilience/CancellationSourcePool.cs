using LlmGateway.Memory;

namespace LlmGateway.Resilience;

/// <summary>
/// Cancellation sources on one clock, reused across attempts as YARP reuses its own activity sources: one that was
/// never cancelled is reset (its timer stopped, its registrations dropped) and kept.
/// </summary>
internal sealed class CancellationSourcePool(TimeProvider time, int capacity = 1024)
{
    /// <summary>The system clock's, which every attempt uses outside tests.</summary>
    public static CancellationSourcePool Shared { get; } = new(TimeProvider.System);

    private readonly BoundedPool<CancellationTokenSource> _sources = new(capacity);

    public TimeProvider Time => time;

    /// <summary>A source that is not cancelled, has no timer armed and no registrations.</summary>
    public CancellationTokenSource Rent() =>
        _sources.TryTake(out var source) ? source : new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);

    /// <summary>Keeps <paramref name="source"/> for the next attempt if it can be reset; false: the caller disposes it.</summary>
    /// <remarks>Only for a source nothing uses any more: its token's holders would see the next attempt's state.</remarks>
    public bool Return(CancellationTokenSource source) =>
        // TryReset fails once cancellation was requested or a timer fired: such a source is never reused.
        source.TryReset() && _sources.TryGiveBack(source);
}
