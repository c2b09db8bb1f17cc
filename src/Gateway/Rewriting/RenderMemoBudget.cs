using System.Runtime.CompilerServices;

namespace LlmGateway.Rewriting;

/// <summary>
/// The characters every <see cref="RenderMemo"/> sharing it may keep together: a memo per bundle version is bounded on
/// its own, but versions are many (any key may pin an old one), so the process needs one bound over all of them.
/// </summary>
internal sealed class RenderMemoBudget(long maxChars)
{
    /// <summary>The process's budget: 16 M characters (32 MB) of remembered renders.</summary>
    public static RenderMemoBudget Shared { get; } = new(16L * 1024 * 1024);

    private long _used;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>
    /// Renders refused in a row before every memo starts over. Memos start over only when their own entries are full,
    /// so without this a budget filled by memos no longer in use (an old version's) would refuse every render for good.
    /// </summary>
    public const int RefusalsBeforeStartOver = RenderMemo.Capacity;

    // Every memo sharing the budget, held weakly: a memo of a bundle no longer kept does not live on here.
    private readonly ConditionalWeakTable<RenderMemo, object?> _memos = new();
    private int _refused;

    public void Register(RenderMemo memo) => _memos.AddOrUpdate(memo, null);

    /// <summary>Takes <paramref name="chars"/> if they fit; after <see cref="RefusalsBeforeStartOver"/> refusals in a row, every memo starts over.</summary>
    public bool TryTake(long chars)
    {
        if (Interlocked.Add(ref _used, chars) <= maxChars)
        {
            Volatile.Write(ref _refused, 0);
            return true;
        }

        Interlocked.Add(ref _used, -chars);
        if (Interlocked.Increment(ref _refused) >= RefusalsBeforeStartOver)
        {
            Volatile.Write(ref _refused, 0);
            foreach (var (memo, _) in _memos)
            {
                memo.StartOver();
            }

            // What memos collected since they took it held is forgotten with them (approximate under concurrent adds).
            Interlocked.Exchange(ref _used, 0);
        }

        return false;
    }

    public void Give(long chars) => Interlocked.Add(ref _used, -chars);
}
