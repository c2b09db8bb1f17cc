namespace LlmGateway.Budgets;

/// <summary>
/// Overruns the store could not count when their requests settled (it was down, or did not answer in time), kept in this
/// process until it can: per key and UTC day, the nano-USD still to add to the day's and the month's spend. Only
/// additions: an unspent reservation the store could not take back stays counted (see <c>BudgetGuard.SettleAsync</c>).
/// Bounded: past <see cref="MaxEntries"/> keys and days a new one is refused (the caller logs it lost) rather than let an
/// outage grow the process without limit. The minute's token counters are not kept: a minute is over before most
/// outages are.
/// </summary>
/// <remarks>
/// Each amount waits under the id the store marks it counted by, in the same step that counts it, so an amount the store
/// counted without the gateway hearing back (a time-out after the script ran) is not counted again by its retries.
/// Amounts are merged only where that stays true. One the store may have seen (sent, unanswered) keeps its own id: merged
/// with another under either one's id, the store would skip the other, or count it again. Those never sent (kept at once,
/// the store known away) are merged per key and day under one fresh id, which is theirs from the retry that first sends
/// them. Past <see cref="MaxSettlements"/> ids kept, an amount the store may have seen is merged with those too: counted at
/// most twice (the strict direction), never lost.
/// </remarks>
internal sealed class SettlementBacklog
{
    /// <summary>The most keys and days kept at once.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>The most amounts kept under their own id (sent once, not known counted) at once.</summary>
    public const int MaxSettlements = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string KeyId, DateOnly Day), Entry> _pending = [];
    private int _sent;

    /// <summary>The keys and days waiting.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="nanoUsd"/> to what the key's day still owes the store (nothing for zero or less); false when
    /// full (not kept). <paramref name="sentAs"/>: the id the store was asked to count it under, if it was.
    /// </summary>
    public bool Add(string keyId, DateOnly day, Guid? sentAs, long nanoUsd)
    {
        if (nanoUsd <= 0)
        {
            return true;
        }

        lock (_gate)
        {
            if (!_pending.TryGetValue((keyId, day), out var entry))
            {
                if (_pending.Count >= MaxEntries)
                {
                    return false;
                }

                _pending.Add((keyId, day), entry = new Entry());
            }

            Put(entry, sentAs, nanoUsd);
            return true;
        }
    }

    /// <summary>
    /// Puts back settlements taken and sent but not known counted, under the ids they were sent with: they were accepted
    /// once, so the bound on keys and days does not apply.
    /// </summary>
    public void Restore(string keyId, DateOnly day, IEnumerable<KeptSettlement> sent)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue((keyId, day), out var entry))
            {
                _pending.Add((keyId, day), entry = new Entry());
            }

            foreach (var settlement in sent)
            {
                Put(entry, settlement.Id, settlement.NanoUsd);
            }
        }
    }

    /// <summary>
    /// Takes everything waiting, per key and day: the amounts kept under their own id, and the ones never sent as one
    /// amount under their shared id. An add meanwhile starts a new entry, with a new id for what it merges.
    /// </summary>
    public List<(string KeyId, DateOnly Day, List<KeptSettlement> Settlements)> TakeAll()
    {
        lock (_gate)
        {
            var taken = new List<(string, DateOnly, List<KeptSettlement>)>(_pending.Count);
            foreach (var ((keyId, day), entry) in _pending)
            {
                if (entry.Unsent > 0)
                {
                    entry.Sent.Add(new KeptSettlement(entry.UnsentId, entry.Unsent));
                }

                taken.Add((keyId, day, entry.Sent));
            }

            _pending.Clear();
            _sent = 0;
            return taken;
        }
    }

    private void Put(Entry entry, Guid? sentAs, long nanoUsd)
    {
        if (sentAs is { } id && _sent < MaxSettlements)
        {
            entry.Sent.Add(new KeptSettlement(id, nanoUsd));
            _sent++;
        }
        else
        {
            entry.Unsent += nanoUsd;
        }
    }

    private sealed class Entry
    {
        /// <summary>Amounts the store may have seen, each under the id it was sent with.</summary>
        public List<KeptSettlement> Sent { get; } = [];

        /// <summary>Never sent (or past <see cref="MaxSettlements"/>): one amount, under an id no call has carried yet.</summary>
        public long Unsent { get; set; }

        public Guid UnsentId { get; } = Guid.NewGuid();
    }
}
