using System.Buffers;

namespace LlmGateway.OpenAi;

/// <summary>
/// A growable array rented from the shared pool: the one buffer type of the response path (the
/// tap's held bytes and sample copy, the SSE framer's partial lines, the reader's decoded text).
/// Nothing is rented until the first append, so an unused buffer costs nothing.
/// </summary>
internal sealed class PooledArray<T> : IDisposable
    where T : unmanaged
{
    private T[] _array = [];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<T> WrittenSpan => _array.AsSpan(0, _length);

    public ReadOnlyMemory<T> WrittenMemory => _array.AsMemory(0, _length);

    public void Append(ReadOnlySpan<T> items)
    {
        items.CopyTo(GetSpan(items.Length));
        _length += items.Length;
    }

    public void Append(T item)
    {
        GetSpan(1)[0] = item;
        _length++;
    }

    /// <summary>Room for at least <paramref name="size"/> more items, to be committed with <see cref="Advance"/>.</summary>
    public Span<T> GetSpan(int size)
    {
        if (_length + size > _array.Length)
        {
            Grow(size);
        }

        return _array.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Forgets the contents but keeps the array for the next use.</summary>
    public void Clear() => _length = 0;

    /// <summary>Drops the first <paramref name="count"/> items, keeping the rest.</summary>
    public void RemovePrefix(int count)
    {
        if (count >= _length)
        {
            _length = 0;
            return;
        }

        _array.AsSpan(count, _length - count).CopyTo(_array);
        _length -= count;
    }

    public void Dispose()
    {
        var array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }
    }

    private void Grow(int size)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(_length + size, Math.Max(256, _array.Length * 2)));
        _array.AsSpan(0, _length).CopyTo(bigger);
        if (_array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(_array);
        }

        _array = bigger;
    }
}
