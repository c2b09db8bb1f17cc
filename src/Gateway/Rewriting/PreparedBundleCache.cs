using LlmGateway.Memory;
using LlmGateway.Prompts;

namespace LlmGateway.Rewriting;

/// <summary>
/// Prepared bundles by (prompt, version), shared by the snapshot loader and version pins. Bundles are immutable, so an
/// entry never goes stale; but every release and every pinned version adds one for the process's life, each with its
/// compiled templates and render memo. Bounded at <see cref="DefaultCapacity"/> versions: a full cache starts over. The
/// versions the releases serve stay with the releases (the snapshot loader puts them back on a release change, and a
/// pin of one uses the release's); any other version is prepared again on its next use.
/// </summary>
internal sealed class PreparedBundleCache
{
    /// <summary>Far above the versions a gateway serves at once (stable and canary per prompt, and pins).</summary>
    public const int DefaultCapacity = 1024;

    private readonly PromptRegistry _registry;
    private readonly BundlePreparer _preparer;
    private readonly BoundedMemo<(string Prompt, int Version), PreparedBundle> _bundles;

    public PreparedBundleCache(PromptRegistry registry, BundlePreparer preparer)
        : this(registry, preparer, DefaultCapacity)
    {
    }

    internal PreparedBundleCache(PromptRegistry registry, BundlePreparer preparer, int capacity)
    {
        _registry = registry;
        _preparer = preparer;
        _bundles = new(capacity, WhenFull.StartOver);
    }

    /// <summary>Versions held now.</summary>
    internal int Count => _bundles.Count;

    /// <summary>Whether this version is held prepared now (tests: what a refused pin must not have prepared).</summary>
    internal bool Holds(string prompt, int version) => _bundles.TryGet((prompt, version), out _);

    internal int Capacity => _bundles.Capacity;

    /// <summary>Forgets every version, as a full cache does.</summary>
    internal void StartOver() => _bundles.StartOver();

    /// <returns>The prepared bundle, or why there is none ("does not exist", or why it cannot serve).</returns>
    public async ValueTask<(PreparedBundle? Bundle, string? Problem)> GetAsync(string prompt, int version)
    {
        if (_bundles.TryGet((prompt, version), out var cached))
        {
            return (cached, null);
        }

        var stored = await _registry.GetBundleAsync(prompt, version);
        if (stored is null)
        {
            return (null, $"version {version} does not exist");
        }

        var (prepared, problem) = _preparer.Prepare(stored);
        return prepared is null ? (null, problem) : (Keep(prompt, version, prepared), null);
    }

    /// <summary>
    /// Why the version cannot serve, or null. One not held is prepared to find out, but not kept: a release keeps the
    /// bundles it serves itself (with their render memos), and a check must not put a second copy in their place.
    /// </summary>
    public async ValueTask<string?> ProblemAsync(string prompt, int version)
    {
        if (_bundles.TryGet((prompt, version), out _))
        {
            return null;
        }

        var stored = await _registry.GetBundleAsync(prompt, version);
        return stored is null ? $"version {version} does not exist" : _preparer.Prepare(stored).Problem;
    }

    /// <summary>
    /// Keeps a prepared bundle under the name and version it was asked for. One already kept (prepared at the same time
    /// by another caller, or put back by the snapshot loader) wins, so all callers share one render memo.
    /// </summary>
    internal PreparedBundle Keep(string prompt, int version, PreparedBundle prepared) =>
        // Looked up before it adds: adding to a full memo starts it over, which must not drop an entry just kept.
        _bundles.GetOrAdd((prompt, version), _ => prepared);
}
