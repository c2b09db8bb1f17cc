using System.Diagnostics;
using LlmGateway.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Sampling;

/// <summary>
/// Drains the recorder in batches (up to <see cref="SamplingOptions.BatchSize"/>, gathered for at
/// most a quarter of a second), builds the records and writes each batch in one round trip. When
/// the store is down a batch is dropped and counted, and the next batch simply tries again: the
/// writer recovers by itself and never pushes back on requests. A capture's bytes count against
/// <see cref="SamplingOptions.MaxQueuedBytes"/> until it is built, so a batch in hand is within the cap too.
/// </summary>
internal sealed class SampleWriter(
    SampleRecorder recorder,
    SampleBuilder builder,
    SampleStore samples,
    GatewayStore store,
    IOptions<SamplingOptions> options,
    ILogger<SampleWriter> logger) : BackgroundService
{
    private static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan GatherPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Stored samples waiting to be queued again (their queueing failed) before the oldest are given up.</summary>
    internal const int MaxUnqueued = 10_000;

    private readonly int _batchSize = options.Value.BatchSize;
    private readonly List<string> _unqueued = [];
    private bool _failing;
    private bool _enqueueFailing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = recorder.Reader;
        var batch = new Queue<SampleCapture>(_batchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await GatherAsync(batch, stoppingToken);
                await WriteAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: the server has finished its requests by now (it stops before the hosted services). The batch in
        // hand and what is still queued (at most the channel's capacity) are written, a batch at a time, so a rolling
        // deploy loses no samples; once a batch fails, the rest is dropped and counted, so a slow store cannot hold
        // the shutdown for a timeout per batch.
        _failing = false;
        while (true)
        {
            Fill(batch);
            if (batch.Count == 0)
            {
                if (!_failing)
                {
                    await EnqueueAsync();
                }

                // Stored but never to be queued now: counted, as the README says.
                if (_unqueued.Count > 0)
                {
                    recorder.Dropped(SampleDropCauses.NotQueued, _unqueued.Count);
                    _unqueued.Clear();
                }

                return;
            }

            if (_failing)
            {
                var dropped = batch.Count;
                while (batch.TryDequeue(out var capture))
                {
                    recorder.Release(capture);
                }

                recorder.Dropped(SampleDropCauses.StoreUnavailable, dropped);
                continue;
            }

            await WriteAsync(batch);
        }
    }

    /// <summary>
    /// Gathers up to a batch, for at most <see cref="GatherWindow"/>. It looks at the channel every
    /// <see cref="GatherPoll"/> instead of waiting for each sample: a waiting reader is woken by every write, a
    /// thread-pool hand-off per sampled request (every request of a shadow step is sampled twice) that a mostly idle
    /// gateway pays for in spinning threads. A full batch still goes out at the next look.
    /// </summary>
    private async Task GatherAsync(Queue<SampleCapture> batch, CancellationToken stoppingToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            Fill(batch);

            // Under a millisecond left is none: Task.Delay counts whole milliseconds, and would return at once.
            var left = GatherWindow - Stopwatch.GetElapsedTime(started);
            if (batch.Count >= _batchSize || left < TimeSpan.FromMilliseconds(1))
            {
                return;
            }

            await Task.Delay(left < GatherPoll ? left : GatherPoll, stoppingToken);
        }
    }

    /// <summary>Tops the batch up from the channel, without waiting, to at most a batch.</summary>
    private void Fill(Queue<SampleCapture> batch)
    {
        while (batch.Count < _batchSize && recorder.Reader.TryRead(out var capture))
        {
            batch.Enqueue(capture);
        }
    }

    private async Task WriteAsync(Queue<SampleCapture> batch)
    {
        var records = new List<SerializedSample>(batch.Count);

        // Dequeued one at a time, so a built capture's bytes are unreachable once they are released.
        while (batch.TryDequeue(out var capture))
        {
            try
            {
                records.Add(builder.BuildSerialized(capture));
            }
#pragma warning disable CA1031 // One malformed sample must not stop the writer; it is counted and logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                recorder.Dropped(SampleDropCauses.BuildFailed, 1);
                SamplingLog.BuildFailed(logger, capture.Id, ex);
            }
            finally
            {
                // The capture's bodies are no longer needed (the record is far smaller): room for new samples.
                recorder.Release(capture);
            }
        }

        if (records.Count == 0)
        {
            return;
        }

        if (!store.IsConnected)
        {
            // Waiting for a command timeout would only back the channel up; drop at once.
            Failed(records.Count, "disconnected");
            return;
        }

        try
        {
            await samples.WriteAsync(records);
            if (_failing)
            {
                _failing = false;
                SamplingLog.WriterRecovered(logger);
            }
        }
        catch (Exception ex) when (MayHaveLanded(ex))
        {
            // Sent, and its reply lost (late past the timeout, or the connection dropped under it): the batch is most
            // likely stored, and listings and exports show it. Queued all the same, not counted lost: the evaluators
            // ack an id whose sample is missing, so one that did not land costs a claim, not a wrong count.
            if (!_failing)
            {
                _failing = true;
                SamplingLog.WriteUncertain(logger, records.Count, ex.GetType().Name);
            }
        }
#pragma warning disable CA1031 // Whatever fails a batch (the store, serialisation, a closing connection), the writer must live on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Failed(records.Count, ex.GetType().Name);
            return;
        }

        // Stored: now queued for the evaluators, with any earlier stored samples whose queueing failed.
        foreach (var record in records)
        {
            _unqueued.Add(record.Record.Id);
        }

        await EnqueueAsync();
    }

    /// <summary>
    /// Queues the stored samples not yet queued. A failure keeps them for the next batch (they are stored: only their
    /// queueing is retried), at most <see cref="MaxUnqueued"/>, the oldest given up first and counted.
    /// </summary>
    private async Task EnqueueAsync()
    {
        if (_unqueued.Count == 0)
        {
            return;
        }

        try
        {
            var givenUp = await samples.EnqueueAsync(_unqueued);
            _unqueued.Clear();
            if (givenUp > 0)
            {
                recorder.Dropped(SampleDropCauses.NotQueued, (int)Math.Min(givenUp, int.MaxValue));
            }

            _enqueueFailing = false;
        }
#pragma warning disable CA1031 // As for a batch: the writer lives on, and tries again with the next one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (!_enqueueFailing)
            {
                // Once per outage, not once per batch.
                _enqueueFailing = true;
                SamplingLog.EnqueueFailed(logger, _unqueued.Count, ex.GetType().Name);
            }

            if (_unqueued.Count > MaxUnqueued)
            {
                var over = _unqueued.Count - MaxUnqueued;
                _unqueued.RemoveRange(0, over);
                recorder.Dropped(SampleDropCauses.NotQueued, over);
            }
        }
    }

    /// <summary>
    /// Whether a failed batch may have reached the store: its first failed write (the one reported; every write before
    /// it succeeded) timed out or lost its connection after it was sent. A connection dropped mid-batch may have left
    /// later writes unsent: the evaluators find those samples missing and ack them.
    /// </summary>
    private static bool MayHaveLanded(Exception ex) =>
        ex is RedisTimeoutException { Commandstatus: CommandStatus.Sent } or RedisConnectionException { CommandStatus: CommandStatus.Sent };

    private void Failed(int count, string why)
    {
        recorder.Dropped(SampleDropCauses.StoreUnavailable, count);
        if (!_failing)
        {
            // Once per outage, not once per batch.
            _failing = true;
            SamplingLog.WriteFailed(logger, count, why);
        }
    }
}
