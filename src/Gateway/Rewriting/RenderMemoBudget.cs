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

    /// <summary>Takes <paramref name="chars"/> if they fit.</summary>
    public bool TryTake(long chars)
    {
        if (Interlocked.Add(ref _used, chars) <= maxChars)
        {
            return true;
        }

        Interlocked.Add(ref _used, -chars);
        return false;
    }

    public void Give(long chars) => Interlocked.Add(ref _used, -chars);
}
