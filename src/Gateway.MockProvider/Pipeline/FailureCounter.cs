using System.Collections.Concurrent;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>Counts requests per <c>x-mock-tag</c> for the <c>fail-times</c> knob (first N fail, the rest succeed).</summary>
internal sealed class FailureCounter
{
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);

    public bool ShouldFail(string tag, int failTimes) => Next(tag) <= failTimes;

    /// <summary>Counts one more request of the tag and returns its number (1 for the first).</summary>
    public int Next(string tag) => _seen.AddOrUpdate(tag, 1, static (_, seen) => seen + 1);
}
