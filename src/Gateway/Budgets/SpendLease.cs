namespace LlmGateway.Budgets;

/// <summary>
/// One key's spend for one UTC day, reserved in the store a slice at a time and drawn down in this process: a
/// request reserves and settles against the slice in memory, and only a slice that runs short goes back to the
/// store. For keys with many small calls and only a daily spend limit (the shadow principal, whose every copy would
/// otherwise cost two store round trips). Conservative: the store counts every slice taken, spent or not, so the
/// instances together never spend more than the limit; the price is that a limit may refuse up to one slice per
/// instance early, until an instance returns what it holds (<see cref="TakeUnspent"/>, when it stops).
/// </summary>
internal sealed class SpendLease(long sliceNanoUsd)
{
    private readonly Lock _gate = new();
    private DateOnly _day;
    // Nano-USD of the day's slices not yet reserved by a request; never negative (an overrun is counted in the
    // store at once, see Settle; one the store cannot take waits in the guard's backlog, not here, so a new day
    // cannot drop it).
    private long _balance;
    private DateTimeOffset _quietUntil;
    private int? _quietVerdict;
    private long _quietNeed;

    /// <summary>Nano-USD reserved from the store at a time (at least what the request in hand needs).</summary>
    public long SliceNanoUsd { get; } = sliceNanoUsd;

    /// <summary>One refill at a time: requests that find the slice short wait for it rather than each take a slice.</summary>
    public SemaphoreSlim Refilling { get; } = new(1, 1);

    /// <summary>
    /// A request dated before the lease's day (it read the clock just before midnight, and a request of the new day
    /// came first): the lease has moved on and will not go back, so it reserves in the store on its own.
    /// </summary>
    public bool IsBehind(DateOnly day)
    {
        lock (_gate)
        {
            return day < _day;
        }
    }

    /// <summary>Takes <paramref name="cost"/> from the day's slice; false (nothing taken) when it holds less, or the day is behind.</summary>
    public bool TryTake(DateOnly day, long cost)
    {
        lock (_gate)
        {
            if (!StartDay(day) || _balance < cost)
            {
                return false;
            }

            _balance -= cost;
            return true;
        }
    }

    /// <summary>
    /// Takes what the slice holds of <paramref name="cost"/> (all of it, or less when it holds less): the refill then
    /// asks the store for the rest only, and no request served from the slice meanwhile can take the same part.
    /// </summary>
    public long TakeWhatItHolds(DateOnly day, long cost)
    {
        lock (_gate)
        {
            if (!StartDay(day))
            {
                return 0;
            }

            var taken = Math.Min(_balance, cost);
            _balance -= taken;
            return taken;
        }
    }

    /// <summary>Puts back what <see cref="TakeWhatItHolds"/> took for a request the store then refused: a settlement of nothing spent.</summary>
    public void GiveBack(DateOnly day, long amount) => Settle(day, reserved: amount, spent: 0);

    /// <summary>
    /// Adds what the store granted for <paramref name="day"/> and takes <paramref name="cost"/> from it, in one step.
    /// False, with nothing added, when the lease moved on to a later day meanwhile: the grant is then the request's
    /// own reservation in the store.
    /// </summary>
    public bool AddAndTake(DateOnly day, long granted, long cost)
    {
        lock (_gate)
        {
            if (!StartDay(day))
            {
                return false;
            }

            _balance += granted - cost;
            return true;
        }
    }

    /// <summary>
    /// Gives back what a request reserved and did not spend. Returns what it spent beyond its reservation and beyond
    /// what the slice holds: the caller counts that in the store now (as a request reserved in the store would be
    /// settled), so the store never reads less than was spent. A request reserved on an earlier day gives nothing
    /// back (that day's slices are over, and what they counted stays counted) and owes its whole overrun.
    /// </summary>
    public long Settle(DateOnly day, long reserved, long spent)
    {
        lock (_gate)
        {
            if (day != _day)
            {
                return Math.Max(0, spent - reserved);
            }

            _balance += reserved - spent;
            if (_balance >= 0)
            {
                return 0;
            }

            var owed = -_balance;
            _balance = 0;
            return owed;
        }
    }

    /// <summary>The day's unspent balance, now no longer this process's to spend; null when there is none.</summary>
    public (DateOnly Day, long NanoUsd)? TakeUnspent()
    {
        lock (_gate)
        {
            if (_balance <= 0)
            {
                return null;
            }

            var unspent = _balance;
            _balance = 0;
            return (_day, unspent);
        }
    }

    /// <summary>
    /// The outcome of a refill of the same day that failed or was refused moments ago, while it still stands: the
    /// requests that waited behind it take that answer instead of each asking the store again (a store down would
    /// otherwise cost every waiter its own time-out, one after another). A refusal answers only requests that need
    /// as much from the store as the refused one did (a smaller one may still fit); a failure answers all.
    /// </summary>
    public bool TryRecentRefusal(DateOnly day, DateTimeOffset now, long need, out int? verdict)
    {
        lock (_gate)
        {
            verdict = _quietVerdict;
            return day == _day && now < _quietUntil && (verdict is null || need >= _quietNeed);
        }
    }

    /// <summary>
    /// Remembers, until <paramref name="until"/>, a refill's failure (<paramref name="verdict"/> null: the store
    /// failed) or refusal (the Lua verdict) of <paramref name="need"/>; a day the lease has moved on from is not kept.
    /// </summary>
    public void RememberRefusal(DateOnly day, int? verdict, long need, DateTimeOffset until)
    {
        lock (_gate)
        {
            if (day == _day)
            {
                (_quietVerdict, _quietNeed, _quietUntil) = (verdict, need, until);
            }
        }
    }

    // Moves to a later day (yesterday's unspent slice stays counted against yesterday); false for an earlier one.
    private bool StartDay(DateOnly day)
    {
        if (day < _day)
        {
            return false;
        }

        if (day > _day)
        {
            _day = day;
            _balance = 0;
            _quietUntil = default;
        }

        return true;
    }
}
