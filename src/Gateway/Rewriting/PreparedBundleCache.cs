using System.Collections.Concurrent;
using LlmGateway.Prompts;

namespace LlmGateway.Rewriting;

/// <summary>
/// Prepared bundles by (prompt, version). Bundles are immutable, so an entry never goes stale;
/// the cache is bounded by the versions that exist. Shared by the snapshot loader and version pins.
/// </summary>
internal sealed class PreparedBundleCache(PromptRegistry registry, BundlePreparer preparer)
{
    private readonly ConcurrentDictionary<(string Prompt, int Version), PreparedBundle> _bundles = new();

    /// <returns>The prepared bundle, or why there is none ("does not exist", or why it cannot serve).</returns>
    public async ValueTask<(PreparedBundle? Bundle, string? Problem)> GetAsync(string prompt, int version)
    {
        if (_bundles.TryGetValue((prompt, version), out var cached))
        {
            return (cached, null);
        }

        var stored = await registry.GetBundleAsync(prompt, version);
        if (stored is null)
        {
            return (null, $"version {version} does not exist");
        }

        var (prepared, problem) = preparer.Prepare(stored);
        if (prepared is not null)
        {
            _bundles[(prompt, version)] = prepared;
        }

        return (prepared, problem);
    }
}
