using System.Collections.Concurrent;

namespace LlmGateway.Budgets;

/// <summary>
/// Overruns the store could not count when their requests settled (it was down), kept in this process until it can:
/// per key and UTC day, the nano-USD still to add to the day's and the month's spend. Only additions: an unspent
/// reservation the store could not take back stays counted (see <c>BudgetGuard.SettleAsync</c>). Bounded: past
/// <see cref="MaxEntries"/> keys and days a new one is refused (the caller logs it lost) rather than let an outage grow
/// the process without limit. The minute's token counters are not kept: a minute is over before most outages are.
/// </summary>
internal sealed class SettlementBacklog
{
    /// <summary>The most keys and days kept at once.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<(string KeyId, DateOnly Day), long> _pending = new();

    /// <summary>The keys and days waiting.</summary>
    public int Count => _pending.Count;

    /// <summary>Adds <paramref name="nanoUsd"/> to what the key's day still owes the store (nothing for zero or less); false when full (not kept).</summary>
    public bool Add(string keyId, DateOnly day, long nanoUsd)
    {
        if (nanoUsd <= 0)
        {
            return true;
        }

        // The bound is checked before the add, so a race can overshoot it by the writers in flight: a few, not many.
        if (_pending.Count >= MaxEntries && !_pending.ContainsKey((keyId, day)))
        {
            return false;
        }

        _pending.AddOrUpdate((keyId, day), nanoUsd, (_, held) => held + nanoUsd);
        return true;
    }

    /// <summary>Puts back an entry taken and not written: it was accepted once, so the bound does not apply.</summary>
    public void Restore(string keyId, DateOnly day, long nanoUsd) =>
        _pending.AddOrUpdate((keyId, day), nanoUsd, (_, held) => held + nanoUsd);

    /// <summary>Takes everything waiting (each entry removed as it is read, so an add meanwhile is never lost).</summary>
    public List<(string KeyId, DateOnly Day, long NanoUsd)> TakeAll()
    {
        var taken = new List<(string, DateOnly, long)>(_pending.Count);
        foreach (var entry in _pending.Keys)
        {
            if (_pending.TryRemove(entry, out var nanoUsd))
            {
                taken.Add((entry.KeyId, entry.Day, nanoUsd));
            }
        }

        return taken;
    }
}
