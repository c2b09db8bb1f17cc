namespace LlmGateway.Budgets;

/// <summary>
/// One key's spend for one UTC day, reserved in the store a slice at a time and drawn down in this process: a
/// request reserves and settles against the slice in memory, and only a slice that runs short goes back to the
/// store. For keys with many small calls and only spend limits (the shadow principal, whose every copy would
/// otherwise cost two store round trips). Conservative: the store counts every slice taken, spent or not, so the
/// instances together never spend more than the limit; the price is that a limit may refuse up to one slice per
/// instance early, until an instance returns what it holds (<see cref="TakeUnspent"/>, when it stops).
/// </summary>
internal sealed class SpendLease(long sliceNanoUsd)
{
    private readonly Lock _gate = new();
    private DateOnly _day;
    // Nano-USD of the day's slices not yet reserved by a request. Negative after an overrun (a request that cost
    // more than it reserved): the next refill reserves the difference too, so the store catches up with the spend.
    private long _balance;

    /// <summary>Nano-USD reserved from the store at a time (at least what the request in hand needs).</summary>
    public long SliceNanoUsd { get; } = sliceNanoUsd;

    /// <summary>One refill at a time: requests that find the slice short wait for it rather than each take a slice.</summary>
    public SemaphoreSlim Refilling { get; } = new(1, 1);

    /// <summary>Takes <paramref name="cost"/> from the day's slice; false (nothing taken) when it holds less.</summary>
    public bool TryTake(DateOnly day, long cost)
    {
        lock (_gate)
        {
            StartDay(day);
            if (_balance < cost)
            {
                return false;
            }

            _balance -= cost;
            return true;
        }
    }

    /// <summary>What the store must grant for <paramref name="cost"/> to fit: the cost less what the slice holds.</summary>
    public long Shortfall(DateOnly day, long cost)
    {
        lock (_gate)
        {
            StartDay(day);
            return Math.Max(1, cost - _balance);
        }
    }

    /// <summary>Adds what the store granted for <paramref name="day"/>.</summary>
    public void Add(DateOnly day, long granted)
    {
        lock (_gate)
        {
            StartDay(day);
            _balance += granted;
        }
    }

    /// <summary>
    /// Gives back what a request reserved and did not spend (or takes what it spent beyond). A request reserved on
    /// an earlier day settles nothing here: that day's slices are over, and what they counted stays counted.
    /// </summary>
    public void Settle(DateOnly day, long reserved, long spent)
    {
        lock (_gate)
        {
            if (day == _day)
            {
                _balance += reserved - spent;
            }
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

    private void StartDay(DateOnly day)
    {
        if (day != _day)
        {
            // Yesterday's unspent slice stays counted against yesterday; an overrun left over is yesterday's too.
            _day = day;
            _balance = 0;
        }
    }
}
