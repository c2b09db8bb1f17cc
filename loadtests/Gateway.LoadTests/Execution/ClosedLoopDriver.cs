using System.Diagnostics;
using LlmGateway.LoadTests.Measurement;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Closed model: N virtual users, each sending its next request as soon as the previous one is done. The
/// server sets the pace, so a stall slows the senders down and hides itself (coordinated omission): these
/// numbers are service times at a fixed concurrency. Use <see cref="ConstantArrivalDriver"/> for user-facing latency.
/// </summary>
internal sealed class ClosedLoopDriver(int virtualUsers) : ILoadDriver
{
    public string Description => $"closed model, {virtualUsers} virtual users";

    public Task RunAsync(RequestRunner runner, MeasurementRecorder recorder, RequestBudget budget, CancellationToken stop)
    {
        var users = new Task[virtualUsers];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = Task.Run(() => VirtualUserAsync(runner, recorder, budget, stop), CancellationToken.None);
        }

        return Task.WhenAll(users);
    }

    private static async Task VirtualUserAsync(RequestRunner runner, MeasurementRecorder recorder, RequestBudget budget, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && budget.TryTake())
        {
            // The user wants the next request now, so the intended start is the actual one.
            recorder.Record(await runner.RunAsync(Stopwatch.GetTimestamp()));
        }
    }
}
