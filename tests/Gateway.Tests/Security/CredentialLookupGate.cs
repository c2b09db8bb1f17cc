using LlmGateway.Auth;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Registered as the gateway's <see cref="ICredentialLookupHook"/>: holds the first lookup of one armed
/// credential between its store read and its cache insert, and says when a lookup got there. Later
/// lookups (the re-read after a revocation) pass straight through.
/// </summary>
internal sealed class CredentialLookupGate : ICredentialLookupHook
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _armed;
    private int _held;

    /// <summary>Completes when the armed credential's lookup has read the store and waits at the gate.</summary>
    public Task Reached => _reached.Task;

    public void Arm(string secretHash) => Volatile.Write(ref _armed, secretHash);

    public void Open() => _open.TrySetResult();

    public async ValueTask AfterStoreReadAsync(string secretHash)
    {
        if (secretHash != Volatile.Read(ref _armed) || Interlocked.Exchange(ref _held, 1) == 1)
        {
            return;
        }

        _reached.TrySetResult();

        // Bounded, so a failed test cannot hold a request (and the host's shutdown) for ever.
        await _open.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }
}
