using System.Collections.Concurrent;

namespace LlmGateway.Sampling;

/// <summary>
/// The hourly floor of each arm (prompt, version, variant) as a steady pace: N per hour earns a slot every
/// 3600/N seconds, and an arm saves up at most a minute's worth (at least one) while it has no traffic. Paced
/// rather than "the first N of each hour", because the change detector mixes the arms by their samples: a burst of
/// one arm's floor samples at :00 moved the mixed level of any metric the versions differ on, and the detector
/// recorded a change and its reversal every hour. Samples taken for another reason (rate, shadow) use up slots too.
/// Counted per gateway instance: with several instances the floor is met at least once over, never missed.
/// </summary>
internal sealed class SampleFloorTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ArmPace> _arms = new(StringComparer.Ordinal);

    /// <summary>Takes a floor slot for the arm when one has come due at <paramref name="floor"/> per hour.</summary>
    public bool TryTakeFloorSlot(string arm, int floor)
    {
        if (floor <= 0)
        {
            return false;
        }

        var now = Now();
        return Pace(arm, now).TryTake(floor, now);
    }

    /// <summary>
    /// Counts a sample taken for another reason (rate, shadow) against the arm's floor: it uses up a slot that has
    /// come due, if any. Never a forced one, which the series leave out.
    /// </summary>
    public void Count(string arm, int floor)
    {
        if (floor > 0)
        {
            var now = Now();
            Pace(arm, now).Use(floor, now);
        }
    }

    private long Now() => time.GetUtcNow().UtcTicks;

    private ArmPace Pace(string arm, long now) => _arms.GetOrAdd(arm, static (_, at) => new ArmPace(at), now);

    /// <summary>
    /// A token bucket: slots earned at the floor's pace since the last look, at most a minute's worth kept. Counted in
    /// whole ticks × floor (one slot is an hour of ticks), so the pace is exact and never drifts by rounding.
    /// </summary>
    private sealed class ArmPace(long now)
    {
        private const long Slot = TimeSpan.TicksPerHour;

        private readonly Lock _gate = new();
        private long _seen = now;

        // A new arm starts with one slot: its first request is sampled, as under "the first N of the hour".
        private long _credit = Slot;

        public bool TryTake(int floor, long now)
        {
            lock (_gate)
            {
                Earn(floor, now);
                if (_credit < Slot)
                {
                    return false;
                }

                _credit -= Slot;
                return true;
            }
        }

        public void Use(int floor, long now)
        {
            lock (_gate)
            {
                Earn(floor, now);
                _credit = Math.Max(0, _credit - Slot);
            }
        }

        private void Earn(int floor, long now)
        {
            // A clock set back earns nothing; an hour's wait already earns more than the cap (no overflow past it).
            var elapsed = Math.Clamp(now - _seen, 0, TimeSpan.TicksPerHour);
            _seen = Math.Max(_seen, now);
            var cap = Math.Max(Slot, floor * TimeSpan.TicksPerMinute);
            _credit = Math.Min(cap, _credit + (elapsed * floor));
        }
    }
}
