using System.Collections.Concurrent;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>
/// Gates for the <c>hold</c> knob: a stream waits on its token until <c>POST /mock/release/{token}</c>.
/// Both sides create-or-get the gate, so a release that wins the race still lets the hold through.
/// </summary>
internal sealed class HoldRegistry
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);

    public async Task WaitAsync(string token, CancellationToken cancellationToken)
    {
        var gate = Gate(token);
        await gate.Task.WaitAsync(cancellationToken);

        // The release has been consumed; forget it so the same token can hold a later request again.
        _gates.TryRemove(KeyValuePair.Create(token, gate));
    }

    public void Release(string token) => Gate(token).TrySetResult();

    private TaskCompletionSource Gate(string token) =>
        _gates.GetOrAdd(token, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
