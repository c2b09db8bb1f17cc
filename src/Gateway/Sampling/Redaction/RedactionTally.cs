using System.Runtime.InteropServices;

namespace LlmGateway.Sampling.Redaction;

/// <summary>
/// Replacements made per kind while redacting one sample, so the stored sample can say what was taken
/// out without saying what it was. One tally per sample: it is not thread-safe.
/// </summary>
internal sealed class RedactionTally
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public int Total { get; private set; }

    public void Add(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        CollectionsMarshal.GetValueRefOrAddDefault(_counts, kind, out _)++;
        Total++;
    }

    /// <summary>Adds every replacement <paramref name="other"/> counted.</summary>
    public void Add(RedactionTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (kind, count) in other._counts)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_counts, kind, out _) += count;
            Total += count;
        }
    }
}
