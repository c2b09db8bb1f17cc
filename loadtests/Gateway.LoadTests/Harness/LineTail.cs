namespace LlmGateway.LoadTests.Harness;

/// <summary>
/// The last lines a child process wrote (standard output and error, in arrival order), each cut to
/// <see cref="MaxLineLength"/> characters: what a report quotes when the child ends, without reading its log file back.
/// </summary>
internal sealed class LineTail(int capacity)
{
    public const int MaxLineLength = 500;

    private readonly Queue<string> _lines = new(capacity);
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        var kept = line.Length > MaxLineLength ? line[..MaxLineLength] + "…" : line;
        lock (_gate)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(kept);
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }
}
