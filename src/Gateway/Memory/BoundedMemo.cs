using System.Collections.Concurrent;

namespace LlmGateway.Memory;

/// <summary>
/// A concurrent map with a bound on its entries, for values the gateway would otherwise make again on every request
/// (a key's hash, a rendered prompt, a formatted name): a client sending ever new keys costs the making, never memory.
/// Lookups by an alternate key (a span of a request's bytes or characters) find an entry without making its key.
/// </summary>
/// <param name="onStartOver">Told after a <see cref="WhenFull.StartOver"/> memo forgot its entries (to give back what they held).</param>
internal sealed class BoundedMemo<TKey, TValue>(int capacity, WhenFull whenFull, IEqualityComparer<TKey>? comparer = null, Action? onStartOver = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new(comparer);

    // Beside the dictionary: its Count takes every bucket lock. Approximate under a concurrent start-over, which can
    // leave a few more entries than the capacity until the next one.
    private int _count;

    public int Capacity => capacity;

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<TKey, TValue>> Entries => _entries;

    public bool TryGet(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public bool TryGet<TAlternate>(TAlternate key, out TValue value)
        where TAlternate : notnull, allows ref struct =>
        _entries.GetAlternateLookup<TAlternate>().TryGetValue(key, out value!);

    /// <summary>Keeps the entry unless the key is there already or a <see cref="WhenFull.KeepFirst"/> memo is full.</summary>
    public bool TryAdd(TKey key, TValue value) => MakeRoom() && Counted(_entries.TryAdd(key, value));

    /// <inheritdoc cref="TryAdd(TKey, TValue)"/>
    public bool TryAdd<TAlternate>(TAlternate key, TValue value)
        where TAlternate : notnull, allows ref struct =>
        MakeRoom() && Counted(_entries.GetAlternateLookup<TAlternate>().TryAdd(key, value));

    /// <summary>The entry for <paramref name="key"/>, made by <paramref name="make"/> and kept (if there is room) when absent.</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> make)
    {
        if (_entries.TryGetValue(key, out var known))
        {
            return known;
        }

        var made = make(key);
        return TryAdd(key, made) || !_entries.TryGetValue(key, out known) ? made : known;
    }

    public bool TryRemove(TKey key, out TValue value) => Uncounted(_entries.TryRemove(key, out value!));

    public bool TryRemove<TAlternate>(TAlternate key)
        where TAlternate : notnull, allows ref struct =>
        Uncounted(_entries.GetAlternateLookup<TAlternate>().TryRemove(key, out _, out _));

    public bool TryRemove(KeyValuePair<TKey, TValue> entry) => Uncounted(_entries.TryRemove(entry));

    private bool MakeRoom()
    {
        if (Volatile.Read(ref _count) < capacity)
        {
            return true;
        }

        if (whenFull == WhenFull.KeepFirst)
        {
            return false;
        }

        StartOver();
        return true;
    }

    /// <summary>Forgets every entry (then tells <c>onStartOver</c>), as a full <see cref="WhenFull.StartOver"/> memo does.</summary>
    public void StartOver()
    {
        _entries.Clear();
        Interlocked.Exchange(ref _count, 0);
        onStartOver?.Invoke();
    }

    private bool Counted(bool added)
    {
        if (added)
        {
            Interlocked.Increment(ref _count);
        }

        return added;
    }

    private bool Uncounted(bool removed)
    {
        if (removed)
        {
            Interlocked.Decrement(ref _count);
        }

        return removed;
    }
}
