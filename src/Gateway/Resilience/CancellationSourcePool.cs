using Microsoft.Extensions.ObjectPool;

namespace LlmGateway.Resilience;

/// <summary>
/// Cancellation sources on one clock, reused across attempts as YARP reuses its own activity sources: one that was
/// never cancelled is reset (its timer stopped, its registrations dropped) and kept; any other is disposed.
/// </summary>
internal sealed class CancellationSourcePool(TimeProvider time, int capacity = 1024)
{
    /// <summary>The system clock's, which every attempt uses outside tests.</summary>
    public static CancellationSourcePool Shared { get; } = new(TimeProvider.System);

    // The provider's pool for a disposable type disposes what it does not keep (not reset, or the pool full).
    private readonly ObjectPool<CancellationTokenSource> _sources =
        new DefaultObjectPoolProvider { MaximumRetained = capacity }.Create(new ResetPolicy(time));

    public TimeProvider Time => time;

    /// <summary>A source that is not cancelled, has no timer armed and no registrations.</summary>
    public CancellationTokenSource Rent() => _sources.Get();

    /// <summary>Keeps <paramref name="source"/> for the next attempt if it can be reset, else disposes it.</summary>
    /// <remarks>Only for a source nothing uses any more: its token's holders would see the next attempt's state.</remarks>
    public void Return(CancellationTokenSource source) => _sources.Return(source);

    private sealed class ResetPolicy(TimeProvider time) : IPooledObjectPolicy<CancellationTokenSource>
    {
        public CancellationTokenSource Create() => new(Timeout.InfiniteTimeSpan, time);

        // TryReset fails once cancellation was requested or a timer fired: such a source is never reused.
        public bool Return(CancellationTokenSource obj) => obj.TryReset();
    }
}
