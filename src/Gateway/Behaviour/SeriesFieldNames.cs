using System.Collections.Concurrent;

namespace LlmGateway.Behaviour;

/// <summary>
/// The text of series fields, made once each: every scored sample counts a dozen or more fields, nearly always the same
/// few (versions × arms × metrics × statistics), and formatting each anew was most of the counting's allocation.
/// Bounded; a full set starts over.
/// </summary>
internal sealed class SeriesFieldNames
{
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<SeriesField, string> _names = new();

    // Beside the dictionary: its Count takes every bucket lock. Approximate under a concurrent start-over.
    private int _count;

    public int Count => _names.Count;

    public string Of(SeriesField field)
    {
        if (_names.TryGetValue(field, out var name))
        {
            return name;
        }

        if (Volatile.Read(ref _count) >= Capacity)
        {
            _names.Clear();
            Interlocked.Exchange(ref _count, 0);
        }

        name = field.ToString();
        if (_names.TryAdd(field, name))
        {
            Interlocked.Increment(ref _count);
        }

        return name;
    }
}
