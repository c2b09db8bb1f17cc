using LlmGateway.Memory;

namespace LlmGateway.Rewriting;

/// <summary>
/// One prepared bundle's rendered messages by the values bound to its variables: a template that reads nothing but its
/// variables renders the same text for the same values, and most traffic repeats a few (a company, a locale), so
/// rendering (a Fluid context, a writer, the text; a kilobyte or two per request) runs once per set of values. Bounded in
/// entries and in the size of what it keeps, and all memos together by a <see cref="RenderMemoBudget"/>; a full memo
/// starts over, so a client sending ever new values costs renders, never memory. The kept arrays are shared by every
/// request that hits them and never written.
/// </summary>
internal sealed class RenderMemo
{
    public const int Capacity = 256;

    /// <summary>The longest key (the bound values, encoded) looked up; longer values render every time.</summary>
    public const int MaxKeyChars = 512;

    /// <summary>Renders longer than this in all (characters) are not kept.</summary>
    public const int MaxRenderedChars = 16 * 1024;

    private readonly RenderMemoBudget _budget;
    private readonly BoundedMemo<string, string[]> _renders;

    // What the kept renders hold of the budget (approximate under a concurrent start-over: a render added while the
    // memo is cleared may stay counted until the next one).
    private long _chars;

    public RenderMemo()
        : this(RenderMemoBudget.Shared)
    {
    }

    public RenderMemo(RenderMemoBudget budget)
    {
        _budget = budget;
        _renders = new(Capacity, WhenFull.StartOver, StringComparer.Ordinal, () => budget.Give(Interlocked.Exchange(ref _chars, 0)));
        budget.Register(this);
    }

    // A memo nothing holds any more (its bundle dropped by a full bundle cache and served by no release) gives back
    // what it held of the shared budget when it is collected; else its characters would stay counted until the
    // budget's refusals start every memo over. Memos are made once per bundle version: the finalizer costs nothing
    // on the request path.
    ~RenderMemo() => _budget.Give(Interlocked.Exchange(ref _chars, 0));

    /// <summary>Forgets every render and gives back what they held of the budget.</summary>
    public void StartOver() => _renders.StartOver();

    public int Count => _renders.Count;

    public bool TryGet(ReadOnlySpan<char> key, out string[] contents) => _renders.TryGet(key, out contents);

    public void Add(string key, string[] contents)
    {
        var chars = 0;
        foreach (var content in contents)
        {
            chars += content.Length;
        }

        var kept = chars + key.Length;
        if (chars > MaxRenderedChars || !_budget.TryTake(kept))
        {
            return;
        }

        if (_renders.TryAdd(key, contents))
        {
            Interlocked.Add(ref _chars, kept);
        }
        else
        {
            _budget.Give(kept);
        }
    }
}
