namespace LlmGateway.Releases;

/// <summary>Holds the current snapshot and the health of its refreshes. Reads are one volatile load.</summary>
internal sealed class ReleaseSnapshotProvider(TimeProvider time)
{
    private ReleaseSnapshot _current = ReleaseSnapshot.Empty;
    private long _lastSuccessTicks;
    private long _lastFailureTicks;

    public ReleaseSnapshot Current => Volatile.Read(ref _current);

    public DateTimeOffset? LastSuccess => Ticks(Interlocked.Read(ref _lastSuccessTicks));

    public DateTimeOffset? LastFailure => Ticks(Interlocked.Read(ref _lastFailureTicks));

    /// <summary>True while the last refresh attempt failed: the snapshot is the last known good one.</summary>
    public bool IsServingLastKnownGood => LastFailure > (LastSuccess ?? DateTimeOffset.MinValue);

    public TimeSpan Age => LastSuccess is { } success ? time.GetUtcNow() - success : TimeSpan.MaxValue;

    public void Publish(ReleaseSnapshot snapshot)
    {
        Interlocked.Exchange(ref _current, snapshot);
        Interlocked.Exchange(ref _lastSuccessTicks, time.GetUtcNow().UtcTicks);
    }

    public void MarkRefreshed() => Interlocked.Exchange(ref _lastSuccessTicks, time.GetUtcNow().UtcTicks);

    public void MarkFailed() => Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);

    private static DateTimeOffset? Ticks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
