using System.Collections.Concurrent;

namespace LlmGateway.Memory;

/// <summary>
/// Objects the hot path would otherwise make on every request, kept for the next one: at most
/// <paramref name="capacity"/> of them (enough for every request in flight on a busy instance); beyond it, what is
/// given back is left to the GC. The caller resets what it gives back, and gives back only what nothing uses any more.
/// </summary>
internal sealed class BoundedPool<T>(int capacity)
    where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    public bool TryTake(out T item)
    {
        if (_items.TryDequeue(out item!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="item"/>; false when the pool is full (the caller drops it).</summary>
    public bool TryGiveBack(T item)
    {
        if (Interlocked.Increment(ref _count) > capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _items.Enqueue(item);
        return true;
    }
}
