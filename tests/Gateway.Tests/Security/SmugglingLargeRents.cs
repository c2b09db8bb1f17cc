using System.Diagnostics.Tracing;

namespace LlmGateway.Tests.Security;

/// <summary>Sees every array the shared pool hands out (its event source), and keeps the largest at or over a size.</summary>
internal sealed class SmugglingLargeRents(long minimumBytes) : EventListener
{
    private long _largest;

    public long Largest => Interlocked.Read(ref _largest);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Buffers.ArrayPoolEventSource")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // BufferRented and BufferAllocated both carry the array's size.
        if (eventData.EventName is not ("BufferRented" or "BufferAllocated") || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var index = eventData.PayloadNames.IndexOf("bufferSize");
        if (index >= 0 && eventData.Payload[index] is int size && size >= minimumBytes)
        {
            long current;
            while (size > (current = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, size, current) != current)
            {
            }
        }
    }
}
