using System.Collections.Concurrent;

namespace LlmGateway.Rewriting;

/// <summary>
/// One prepared bundle's rendered messages by the values bound to its variables: a template that reads nothing but its
/// variables renders the same text for the same values, and most traffic repeats a few (a company, a locale), so
/// rendering (a Fluid context, a writer, the text; a kilobyte or two per request) runs once per set of values. Bounded in
/// entries and in the size of what it keeps, and all memos together by a <see cref="RenderMemoBudget"/>; a full memo
/// starts over, so a client sending ever new values costs renders, never memory. The kept arrays are shared by every
/// request that hits them and never written.
/// </summary>
internal sealed class RenderMemo(RenderMemoBudget budget)
{
    public const int Capacity = 256;

    /// <summary>The longest key (the bound values, encoded) looked up; longer values render every time.</summary>
    public const int MaxKeyChars = 512;

    /// <summary>Renders longer than this in all (characters) are not kept.</summary>
    public const int MaxRenderedChars = 16 * 1024;

    private readonly ConcurrentDictionary<string, string[]> _renders = new(StringComparer.Ordinal);

    // Beside the dictionary: its Count takes every bucket lock. Both approximate under a concurrent start-over (a
    // render added while the memo is cleared may stay counted against the budget until the next start-over).
    private int _count;
    private long _chars;

    public RenderMemo()
        : this(RenderMemoBudget.Shared)
    {
    }

    public int Count => _renders.Count;

    public bool TryGet(ReadOnlySpan<char> key, out string[] contents) =>
        _renders.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out contents!);

    public void Add(ReadOnlySpan<char> key, string[] contents)
    {
        var chars = 0;
        foreach (var content in contents)
        {
            chars += content.Length;
        }

        if (chars > MaxRenderedChars)
        {
            return;
        }

        if (Volatile.Read(ref _count) >= Capacity)
        {
            _renders.Clear();
            Interlocked.Exchange(ref _count, 0);
            budget.Give(Interlocked.Exchange(ref _chars, 0));
        }

        var kept = chars + key.Length;
        if (!budget.TryTake(kept))
        {
            return;
        }

        if (_renders.GetAlternateLookup<ReadOnlySpan<char>>().TryAdd(key, contents))
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _chars, kept);
        }
        else
        {
            budget.Give(kept);
        }
    }
}
