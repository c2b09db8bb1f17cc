using LlmGateway.OpenAi;

namespace LlmGateway.Streaming;

/// <summary>
/// Finds the chunk OpenAI sends for <c>include_usage</c> (<c>"choices": []</c> with a <c>usage</c>
/// object) when the gateway, not the client, asked for it: naive clients break on its empty choices,
/// so the tap drops its bytes. It judges by what the reader already parsed, never by a second parse.
/// </summary>
internal sealed class UsageChunkFilter : IOpenAiObserver
{
    private readonly List<(long Start, long End)> _drops = new(1);

    /// <summary>Stream ranges to drop, oldest first, until <see cref="Clear"/>.</summary>
    public IReadOnlyList<(long Start, long End)> Drops => _drops;

    public void OnEvent(in OpenAiEventInfo info)
    {
        if (info.Is(OpenAiEventFlags.UsageOnly))
        {
            _drops.Add((info.Start, info.End));
        }
    }

    public void Clear() => _drops.Clear();
}
