using LlmGateway.Sampling.Redaction;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Holds the sample writer still: registered as the gateway's <see cref="IRedactorProvider"/>, its
/// redactors wait at a gate the first time the writer redacts a value, so captures pile up in the
/// recorder as they would behind a slow writer. A signal says when the writer reached the gate.
/// </summary>
internal sealed class SamplingWriterGate : IRedactorProvider, IDisposable
{
    private static readonly TimeSpan LongestHold = TimeSpan.FromMinutes(1);

    private readonly MarkerRedactorProvider _markers = new();
    private readonly ManualResetEventSlim _open = new(initialState: false);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the writer, building a sample, waits at the gate.</summary>
    public Task Reached => _reached.Task;

    public void Open() => _open.Set();

    public Redactor GetRedactor(DataClassificationSet classifications) => new GatedRedactor(_markers.GetRedactor(classifications), this);

    public void Dispose()
    {
        _open.Set();
        _open.Dispose();
    }

    private void Pass()
    {
        _reached.TrySetResult();

        // Bounded, so a failed test cannot hold the writer (and the host's shutdown) for ever.
        _open.Wait(LongestHold);
    }

    private sealed class GatedRedactor(Redactor inner, SamplingWriterGate gate) : Redactor
    {
        public override int GetRedactedLength(ReadOnlySpan<char> input)
        {
            gate.Pass();
            return inner.GetRedactedLength(input);
        }

        public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
        {
            gate.Pass();
            return inner.Redact(source, destination);
        }
    }
}
