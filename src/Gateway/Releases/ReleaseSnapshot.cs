using System.Collections.Frozen;

namespace LlmGateway.Releases;

/// <summary>
/// An immutable view of every release, swapped whole (after YARP's InMemoryConfigProvider).
/// A request reads one snapshot reference at its start, so a change never affects a request
/// already in flight.
/// </summary>
internal sealed class ReleaseSnapshot
{
    public static readonly ReleaseSnapshot Empty = new(FrozenDictionary<(string Prompt, string Environment), ActiveRelease>.Empty, FrozenSet<string>.Empty, DateTimeOffset.MinValue);

    private readonly FrozenDictionary<(string Prompt, string Environment), ActiveRelease> _releases;
    private readonly FrozenSet<string> _prompts;

    public ReleaseSnapshot(FrozenDictionary<(string Prompt, string Environment), ActiveRelease> releases, FrozenSet<string> prompts, DateTimeOffset loadedAt)
    {
        _releases = releases;
        _prompts = prompts;
        LoadedAt = loadedAt;
    }

    /// <summary>True when the prompt exists, released or not (tells "unknown prompt" from "no release here").</summary>
    public bool HasPrompt(string prompt) => _prompts.Contains(prompt);

    /// <summary>The snapshot's own string for a prompt name read from a request (null when it has no such prompt): no copy per request.</summary>
    public string? KnownPrompt(ReadOnlySpan<char> name) =>
        _prompts.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup) && lookup.TryGetValue(name, out var known) ? known : null;

    /// <summary>When this content was read from the store.</summary>
    public DateTimeOffset LoadedAt { get; }

    public bool IsLoaded => LoadedAt != DateTimeOffset.MinValue;

    public IEnumerable<ActiveRelease> Releases => _releases.Values;

    public int Count => _releases.Count;

    public int PromptCount => _prompts.Count;

    public bool TryGet(string prompt, string environment, out ActiveRelease release) =>
        _releases.TryGetValue(Key(prompt, environment), out release!);

    /// <summary>A release's key: a pair, not a joined string, so a lookup on every request allocates nothing.</summary>
    public static (string Prompt, string Environment) Key(string prompt, string environment) => (prompt, environment);
}
