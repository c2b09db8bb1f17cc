using System.Collections.Frozen;

namespace LlmGateway.Releases;

/// <summary>
/// An immutable view of every release, swapped whole (after YARP's InMemoryConfigProvider).
/// A request reads one snapshot reference at its start, so a change never affects a request
/// already in flight.
/// </summary>
internal sealed class ReleaseSnapshot
{
    public static readonly ReleaseSnapshot Empty = new(FrozenDictionary<string, ActiveRelease>.Empty, FrozenSet<string>.Empty, DateTimeOffset.MinValue);

    private readonly FrozenDictionary<string, ActiveRelease> _releases;
    private readonly FrozenSet<string> _prompts;

    public ReleaseSnapshot(FrozenDictionary<string, ActiveRelease> releases, FrozenSet<string> prompts, DateTimeOffset loadedAt)
    {
        _releases = releases;
        _prompts = prompts;
        LoadedAt = loadedAt;
    }

    /// <summary>True when the prompt exists, released or not (tells "unknown prompt" from "no release here").</summary>
    public bool HasPrompt(string prompt) => _prompts.Contains(prompt);

    /// <summary>When this content was read from the store.</summary>
    public DateTimeOffset LoadedAt { get; }

    public bool IsLoaded => LoadedAt != DateTimeOffset.MinValue;

    public IEnumerable<ActiveRelease> Releases => _releases.Values;

    public int Count => _releases.Count;

    public int PromptCount => _prompts.Count;

    public bool TryGet(string prompt, string environment, out ActiveRelease release) =>
        _releases.TryGetValue(Key(prompt, environment), out release!);

    public static string Key(string prompt, string environment) => prompt + "\n" + environment;
}
