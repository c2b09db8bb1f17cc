using System.Diagnostics.Metrics;

namespace LlmGateway.Tests.Security;

/// <summary>Adds up what one counter instance records while it is alive: proof that a metric moved.</summary>
internal sealed class SamplingCounterTotal : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public SamplingCounterTotal(Counter<long> counter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, counter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
