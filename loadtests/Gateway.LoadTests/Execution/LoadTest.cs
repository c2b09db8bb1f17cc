using System.Diagnostics;
using LlmGateway.LoadTests.Http;
using LlmGateway.LoadTests.Measurement;
using LlmGateway.LoadTests.Options;
using LlmGateway.LoadTests.Reporting;
using LlmGateway.LoadTests.Scenarios;

namespace LlmGateway.LoadTests.Execution;

/// <summary>One run: wires the client, scenario and load model together, bounds the run, and builds the report.</summary>
/// <param name="observer">Called with every outcome as it completes (on any thread); harness commands use it.</param>
/// <param name="sharedClient">
/// A client made by <see cref="LoadHttpClientFactory"/> for these options and kept by the caller across runs, so
/// consecutive runs against one target reuse its warm connections (<c>compare</c>'s rounds); null makes one for this run.
/// </param>
internal sealed class LoadTest(LoadTestOptions options, Action<RequestOutcome>? observer = null, HttpClient? sharedClient = null)
{
    public async Task<LoadTestReport> RunAsync(CancellationToken interrupt)
    {
        using var ownClient = sharedClient is null ? LoadHttpClientFactory.Create(options) : null;
        var client = sharedClient ?? ownClient!;
        var scenario = ScenarioFactory.Create(options);
        var runner = new RequestRunner(client, scenario, options.RequestTimeout, interrupt);
        var budget = new RequestBudget(options.MaxRequests);
        ILoadDriver driver = options.RatePerSecond is { } rate
            ? new ConstantArrivalDriver(rate, options.MaxInFlight)
            : new ClosedLoopDriver(options.Concurrency);

        var startedAt = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();
        var warmupEndsAt = start + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        using var recorder = new MeasurementRecorder(warmupEndsAt, observer);

        // Stops new requests only; those in flight finish (within --timeout) and are counted.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        stop.CancelAfter(options.Warmup + options.Duration);
        await driver.RunAsync(runner, recorder, budget, stop.Token);
        var end = Stopwatch.GetTimestamp();

        var stopReason = interrupt.IsCancellationRequested ? StopReason.Interrupted
            : budget.IsExhausted ? StopReason.MaxRequests
            : StopReason.Duration;
        return BuildReport(startedAt, scenario, driver, recorder.Collect(), budget.Granted, stopReason, MeasuredSeconds(warmupEndsAt, end));
    }

    private static double MeasuredSeconds(long warmupEndsAt, long end) =>
        end > warmupEndsAt ? Stopwatch.GetElapsedTime(warmupEndsAt, end).TotalSeconds : 0;

    private static string Describe(StopReason reason) => reason switch
    {
        StopReason.Duration => "duration",
        StopReason.MaxRequests => "max-requests",
        StopReason.Interrupted => "interrupt",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    private LoadTestReport BuildReport(
        DateTimeOffset startedAt, ILoadScenario scenario, ILoadDriver driver, Measurements measurements, long sent, StopReason stopReason, double measuredSeconds)
    {
        var measured = measurements.Measured;
        var settings = new RunSettings(
            options.ChatCompletionsUri.AbsoluteUri,
            scenario.Name,
            options.Model,
            options.IsOpenModel ? RunSettings.OpenModel : RunSettings.ClosedModel,
            driver.Description,
            options.IsOpenModel ? null : options.Concurrency,
            options.RatePerSecond,
            options.IsOpenModel ? options.MaxInFlight : null,
            options.Warmup.TotalSeconds,
            options.Duration.TotalSeconds,
            options.MaxRequests,
            options.RequestTimeout.TotalSeconds,
            [.. options.Headers.Select(header => $"{header.Key}:{header.Value}")]);
        var counts = new RequestCounts(
            Sent: sent,
            Measured: measured.Succeeded + measured.Failed,
            Succeeded: measured.Succeeded,
            Failed: measured.Failed,
            Warmup: measurements.WarmupRequests,
            Interrupted: measurements.Interrupted,
            Dropped: measurements.Dropped);

        return new LoadTestReport(
            startedAt,
            settings,
            Describe(stopReason),
            measuredSeconds,
            counts,
            ThroughputPerSecond: PerSecond(counts.Measured, measuredSeconds),
            SucceededPerSecond: PerSecond(counts.Succeeded, measuredSeconds),
            measured.ResponseBytes,
            measured.ContentChunks,
            measured.Latency.Summarize(),
            measured.ServiceTime.Summarize(),
            measured.TimeToFirstToken.Summarize(),
            measured.InterChunkGap.Summarize(),
            measured.Errors,
            measured.Tags);
    }

    private static double PerSecond(long count, double seconds) => seconds > 0 ? count / seconds : 0;
}
