using System.Collections.Concurrent;
using LlmGateway.Eval.Running;

namespace LlmGateway.Eval.Tests.Running;

/// <summary>Answers from a function of (request, attempt for that request), recording calls and peak concurrency.</summary>
internal sealed class FakeCaseExecutor(Func<CaseRequest, int, CaseExecution> answer, TimeSpan? delay = null) : ICaseExecutor
{
    private readonly ConcurrentDictionary<(string, int, long), int> _attempts = new();
    private int _inFlight;
    private int _peak;

    public ConcurrentQueue<CaseRequest> Calls { get; } = new();

    public int Peak => Volatile.Read(ref _peak);

    public async Task<CaseExecution> ExecuteAsync(CaseRequest request, CancellationToken cancellationToken)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = Volatile.Read(ref _peak)) < now && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }

        try
        {
            Calls.Enqueue(request);
            if (delay is { } d)
            {
                await Task.Delay(d, cancellationToken);
            }

            var attempt = _attempts.AddOrUpdate((request.Target.ToString() + "/" + request.Case.Id, request.Target.Version, request.Seed), 1, (_, n) => n + 1);
            // As the gateway's executor does: a successful answer says the pinned version served it, unless the test
            // says otherwise.
            var execution = answer(request, attempt);
            return execution.Succeeded && execution.ServedVersion is null ? execution with { ServedVersion = request.Target.Version } : execution;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
