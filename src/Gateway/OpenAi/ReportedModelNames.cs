using System.Collections.Concurrent;

namespace LlmGateway.OpenAi;

/// <summary>
/// The model names providers report in their responses, one string each: every response names its model, and nearly
/// always one of a handful, so reading it should not allocate. Bounded, so a provider reporting endless made-up names
/// costs a string per response (as before), never memory that grows.
/// </summary>
internal sealed class ReportedModelNames(int capacity)
{
    public const int DefaultCapacity = 1024;

    /// <summary>Longer names are not kept: a line may be megabytes long, and a kept name lives as long as the process.</summary>
    public const int MaxNameChars = 128;

    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    // Beside the dictionary: its Count takes every bucket lock. Under races a few may pass the capacity.
    private int _count;

    /// <summary>The process's one set, used by every response reader.</summary>
    public static ReportedModelNames Shared { get; } = new(DefaultCapacity);

    public int Count => _names.Count;

    /// <summary>The one string for <paramref name="name"/> (made and kept on first sight, while there is room).</summary>
    public string Get(ReadOnlySpan<char> name)
    {
        if (_names.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var known))
        {
            return known;
        }

        var made = new string(name);
        if (name.Length > MaxNameChars || Volatile.Read(ref _count) >= capacity)
        {
            return made;
        }

        if (!_names.TryAdd(made, made))
        {
            // Another reader kept it just now.
            return _names.TryGetValue(made, out var kept) ? kept : made;
        }

        Interlocked.Increment(ref _count);
        return made;
    }
}
