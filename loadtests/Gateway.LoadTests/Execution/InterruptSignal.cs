using System.Runtime.InteropServices;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Ctrl+C (or SIGTERM) stops the run and aborts the requests in flight, but keeps the process alive so the
/// results are still printed. A second Ctrl+C is not held back and ends the process at once.
/// </summary>
internal sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _interrupted = new();
    private readonly PosixSignalRegistration[] _registrations;

    public InterruptSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _interrupted.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _interrupted.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_interrupted.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        Console.Error.WriteLine("Interrupted: stopping and printing the results so far (press Ctrl+C again to quit at once).");
        _interrupted.Cancel();
    }
}
