using System.Diagnostics;
using System.Globalization;
using LlmGateway.LoadTests.Measurement;

namespace LlmGateway.LoadTests.Execution;

/// <summary>
/// Open model (constant arrival rate, as wrk2 or k6's constant-arrival-rate): request i is due at
/// start + i / rate, whatever earlier responses do. Its latency is measured from that due time, so when the
/// server or the generator stalls, the wait of every request that should have gone out meanwhile is counted
/// instead of silently skipped (coordinated omission).
/// </summary>
internal sealed class ConstantArrivalDriver(double ratePerSecond, int maxInFlight) : ILoadDriver
{
    public string Description => string.Create(
        CultureInfo.InvariantCulture,
        $"open model, {ratePerSecond:0.##} req/s constant arrival, at most {maxInFlight} in flight");

    public async Task RunAsync(RequestRunner runner, MeasurementRecorder recorder, RequestBudget budget, CancellationToken stop)
    {
        using var limiter = new InFlightLimiter(maxInFlight);

        // A thread of its own: the schedule must not wait behind the response handling in the thread pool.
        await Task.Factory.StartNew(
            () => Dispatch(runner, recorder, budget, limiter, stop),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await limiter.WaitUntilIdleAsync();
    }

    private void Dispatch(RequestRunner runner, MeasurementRecorder recorder, RequestBudget budget, InFlightLimiter limiter, CancellationToken stop)
    {
        var start = Stopwatch.GetTimestamp();
        var ticksBetweenRequests = Stopwatch.Frequency / ratePerSecond;
        for (long i = 0; ; i++)
        {
            // Computed from the start, never as "previous + interval": when the loop runs late, the overdue
            // requests go out at once with their original due times instead of the schedule sliding.
            var intendedStart = start + (long)(i * ticksBetweenRequests);
            if (!ArrivalClock.WaitUntil(intendedStart, stop))
            {
                return;
            }

            if (!limiter.TryEnter())
            {
                recorder.RecordDropped(intendedStart);
                continue;
            }

            if (!budget.TryTake())
            {
                limiter.Exit();
                return;
            }

            // Called here rather than queued: the request is written to the socket before the first await, so
            // the actual send time stays close to the intended one. The rest runs on the thread pool.
            _ = SendAsync(runner, recorder, limiter, intendedStart);
        }
    }

    private static async Task SendAsync(RequestRunner runner, MeasurementRecorder recorder, InFlightLimiter limiter, long intendedStart)
    {
        try
        {
            recorder.Record(await runner.RunAsync(intendedStart));
        }
        finally
        {
            limiter.Exit();
        }
    }
}
