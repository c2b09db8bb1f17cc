using System.Runtime.InteropServices;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Ctrl+C (or SIGTERM) stops the run and aborts the requests in flight, but keeps the process alive so the
/// results are still printed. A second Ctrl+C is not held back and ends the process at once.
/// </summary>
internal sealed class InterruptSignal : IDisposable
{
    private static bool s_fired;

    private readonly CancellationTokenSource _interrupted = new();
    private readonly PosixSignalRegistration[] _registrations;

    public InterruptSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _interrupted.Token;

    /// <summary>
    /// Ctrl+C has been pressed in this process. The terminal sends it to the whole process group, so a child that
    /// ends right after has been stopped by it, not died (<see cref="Harness.ChildSupervisor"/>).
    /// </summary>
    public static bool Fired => Volatile.Read(ref s_fired);

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

        Volatile.Write(ref s_fired, true);
        context.Cancel = true;
        Console.Error.WriteLine("Interrupted: stopping and printing the results so far (press Ctrl+C again to quit at once).");
        _interrupted.Cancel();
    }
}
