using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// Counts the arrays rented from any <c>ArrayPool</c> by the code that created the check (its async flow,
/// whichever thread a continuation runs on), and crosses them off when they are returned on any thread, through
/// the runtime's <c>ArrayPoolEventSource</c>. After a run of requests, what is left are buffers the request path
/// took and never gave back (a pooled buffer not disposed). Rentals by the gateway's own background loops (the
/// store client, the usage writer) are not in the creator's flow and are not counted.
/// Only for checks: enabled, the event source slows every rent and return down.
/// </summary>
internal sealed class ArrayPoolLeakCheck : EventListener
{
    private const string SourceName = "System.Buffers.ArrayPoolEventSource";
    private const int BufferRented = 1;
    private const int BufferAllocated = 2;
    private const int BufferReturned = 3;

    // Flows with the creator's ExecutionContext, into every continuation of the requests it runs, and nowhere else.
    private static readonly AsyncLocal<ArrayPoolLeakCheck?> Recorder = new();

    // Initialised before the base constructor runs, which may already report the event source.
    private readonly ConcurrentDictionary<int, int> _outstanding = new();
    private volatile bool _recording = true;

    /// <summary>Starts counting the rentals made by the caller's async flow (set in a synchronous constructor, so it stays set in the caller).</summary>
    public ArrayPoolLeakCheck() => Recorder.Value = this;

    /// <summary>The sizes of the buffers rented while recording and not returned (yet).</summary>
    public IReadOnlyCollection<int> Outstanding => [.. _outstanding.Values];

    /// <summary>
    /// Proves the check sees what it must: a rental made after an await (on a pool thread, in the creator's flow)
    /// is counted until it is returned. Throws when it is not, so a silent listener cannot pass every benchmark.
    /// </summary>
    public static async Task SelfTestAsync()
    {
        using var check = new ArrayPoolLeakCheck();
        await Task.Yield();
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(12_345);
        var seen = check.Outstanding.Contains(rented.Length);
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        var crossedOff = !check.Outstanding.Contains(rented.Length);
        if (!seen || !crossedOff)
        {
            throw new InvalidOperationException($"The pooled-array leak check does not work (rental seen: {seen}, return seen: {crossedOff}).");
        }
    }

    /// <summary>Stops counting new rentals; returns are still crossed off.</summary>
    public void StopRecording()
    {
        _recording = false;
        Recorder.Value = null;
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.Payload is not { Count: >= 2 } payload || payload[0] is not int id)
        {
            return;
        }

        switch (eventData.EventId)
        {
            case BufferRented or BufferAllocated when _recording && ReferenceEquals(Recorder.Value, this):
                _outstanding[id] = payload[1] is int size ? size : -1;
                break;
            case BufferReturned:
                _outstanding.TryRemove(id, out _);
                break;
        }
    }
}
