namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Caps the open model's in-flight requests. A slow server otherwise makes an open-model generator pile up
/// requests without bound until it, not the server, falls over.
/// </summary>
internal sealed class InFlightLimiter(int maxInFlight) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxInFlight, maxInFlight);

    public bool TryEnter() => _slots.Wait(0);

    public void Exit() => _slots.Release();

    /// <summary>Takes every slot back, which is only possible once every in-flight request has exited.</summary>
    public async Task WaitUntilIdleAsync()
    {
        for (var i = 0; i < maxInFlight; i++)
        {
            await _slots.WaitAsync();
        }

        _slots.Release(maxInFlight);
    }

    public void Dispose() => _slots.Dispose();
}
