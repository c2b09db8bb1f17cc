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

    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>The process's one set, used by every response reader.</summary>
    public static ReportedModelNames Shared { get; } = new(DefaultCapacity);

    /// <summary>The one string for <paramref name="name"/> (made and kept on first sight, while there is room).</summary>
    public string Get(ReadOnlySpan<char> name)
    {
        if (_names.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var known))
        {
            return known;
        }

        var made = new string(name);
        // Count takes every bucket lock, but only on a miss; under races a few may pass the capacity.
        return _names.Count < capacity ? _names.GetOrAdd(made, made) : made;
    }
}
