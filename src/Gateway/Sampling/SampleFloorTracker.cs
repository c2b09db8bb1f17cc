using System.Collections.Concurrent;

namespace LlmGateway.Sampling;

/// <summary>
/// Samples taken per arm (prompt, version, variant) in the current hour, so a floor can top up an
/// arm whose rate alone yields too few. Counted per gateway instance: with several instances the
/// floor is met at least once over, never missed. Old hours are forgotten as the clock moves on.
/// </summary>
internal sealed class SampleFloorTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ArmCount> _counts = new(StringComparer.Ordinal);

    /// <summary>Takes a floor slot for the arm when fewer than <paramref name="floor"/> were taken this hour.</summary>
    public bool TryTakeFloorSlot(string arm, int floor)
    {
        if (floor <= 0)
        {
            return false;
        }

        var count = Current(arm);
        while (true)
        {
            var taken = Volatile.Read(ref count.Taken);
            if (taken >= floor)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref count.Taken, taken + 1, taken) == taken)
            {
                return true;
            }
        }
    }

    /// <summary>Counts a sample taken for another reason (rate, shadow) towards the arm's floor; never a forced one, which the series leave out.</summary>
    public void Count(string arm) => Interlocked.Increment(ref Current(arm).Taken);

    public long TakenThisHour(string arm) => Volatile.Read(ref Current(arm).Taken);

    private ArmCount Current(string arm)
    {
        var hour = time.GetUtcNow().ToUnixTimeSeconds() / 3600;
        var count = _counts.GetOrAdd(arm, static (_, h) => new ArmCount(h), hour);
        if (count.Hour == hour)
        {
            return count;
        }

        // A new hour: start the arm from zero (a lost race only means one sample counted in the old hour).
        var fresh = new ArmCount(hour);
        return _counts.TryUpdate(arm, fresh, count) ? fresh : _counts[arm];
    }

    private sealed class ArmCount(long hour)
    {
        public long Hour { get; } = hour;

        public long Taken;
    }
}
