namespace LlmGateway.LoadTests.BehaviourChart;

/// <summary>
/// The real clock moved forward on demand (a copy of the test project's, which this project cannot reference): timers,
/// delays and stopwatches run in real time (so the live gateway keeps working), while <see cref="GetUtcNow"/> can jump
/// minutes ahead, so a quarter of an hour of per-minute series takes seconds.
/// </summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    private long _shiftTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _shiftTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _shiftTicks, by.Ticks);

    /// <summary>Moves to the start of the next minute (plus <paramref name="into"/>), so what follows lands in a fresh bucket.</summary>
    public void AdvanceToNextMinute(TimeSpan into = default)
    {
        var now = GetUtcNow();
        var next = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1) + into;
        Advance(next - now);
    }
}
