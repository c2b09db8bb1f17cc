using LlmGateway.Memory;

namespace LlmGateway.OpenAi;

/// <summary>
/// The model names providers report in their responses, one string each: every response names its model, and nearly
/// always one of a handful, so reading it should not allocate. Bounded, so a provider reporting endless made-up names
/// costs a string per response (as before), never memory that grows.
/// </summary>
internal sealed class ReportedModelNames(int capacity)
{
    public const int DefaultCapacity = 1024;

    /// <summary>Longer names are not kept: a line may be megabytes long, and a kept name lives as long as the process.</summary>
    public const int MaxNameChars = 128;

    private readonly BoundedMemo<string, string> _names = new(capacity, WhenFull.KeepFirst, StringComparer.Ordinal);

    /// <summary>The process's one set, used by every response reader.</summary>
    public static ReportedModelNames Shared { get; } = new(DefaultCapacity);

    public int Count => _names.Count;

    /// <summary>The one string for <paramref name="name"/> (made and kept on first sight, while there is room).</summary>
    public string Get(ReadOnlySpan<char> name)
    {
        if (_names.TryGet(name, out var known))
        {
            return known;
        }

        var made = new string(name);
        return name.Length > MaxNameChars ? made : _names.GetOrAdd(made, static m => m);
    }
}
