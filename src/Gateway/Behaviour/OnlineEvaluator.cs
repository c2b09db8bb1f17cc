using LlmGateway.Sampling;
using LlmGateway.Sampling.Queue;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Behaviour;

/// <summary>
/// One evaluator round: claim a batch from the sample queue, read and score each sample, count the readings
/// into the behaviour series (each sample at most once, by id), then ack. The same code runs in a gateway (a
/// hosted service) and in <c>Gateway.Evaluator</c>; any number of them share one queue. A round that dies before
/// its acks loses nothing: the claims come back after the visibility window (at once when the round fails on a store
/// error or is stopped), and the counted marks keep a redelivered sample from counting twice. A sample that cannot be read is released, and dead-lettered after
/// the queue's last attempt.
/// </summary>
internal sealed class OnlineEvaluator(
    SampleStore samples,
    OnlineEvalPlans plans,
    SampleScorer scorer,
    JudgeGate judges,
    BehaviourStore behaviour,
    BehaviourMetrics metrics,
    IOptions<OnlineEvalOptions> options,
    TimeProvider time,
    ILogger<OnlineEvaluator> logger)
{
    /// <summary>Test seam: runs after the batch is counted and before it is acked (a throw here is a worker dying mid-batch).</summary>
    internal Func<IReadOnlyList<ClaimedItem>, Task>? BeforeAck { get; set; }

    /// <summary>Test seam: runs before each heartbeat's extensions of the round's claims.</summary>
    internal Func<Task>? BeforeExtend { get; set; }

    /// <summary>Runs one round; returns how many samples it claimed (0: the queue was empty).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await samples.Queue.ClaimAsync(options.Value.BatchSize);
        if (claimed.Count == 0)
        {
            return 0;
        }

        using var heartbeat = new CancellationTokenSource();
        var keepAlive = KeepClaimedAsync(claimed, heartbeat.Token);
        try
        {
            return await ProcessAsync(claimed, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping (a rolling deploy), whatever the round ended with (a cancellation, or a store or judge call the
            // stop cut with another exception): what it claimed goes back now, not when its window lapses minutes
            // later; a sample already acked is not in flight any more, and its release does nothing. The stop is the
            // worker's doing, not the samples': their attempts are given back, or a deploy could dead-letter a sample
            // on its last attempt that nothing was wrong with.
            await ReleaseClaimsAsync(claimed, refundAttempts: true);
            throw;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A store error after claiming (the batch read, the ack, a release): the same, best effort. Left to lapse,
            // the whole batch would stay hidden for the visibility window over one failed call; what the round counted
            // already is acked as counted when it comes back. A timeout or a lost connection is the store's, not the
            // samples': their attempts are given back, or a brownout of a few rounds (a second apart) would send the
            // whole queue to the dead letters. Any other store error (a script's) may be the sample's: it counts.
            await ReleaseClaimsAsync(claimed, refundAttempts: WorkQueue.IsStoreFailure(ex));
            throw;
        }
        finally
        {
            await heartbeat.CancelAsync();
            await keepAlive;
        }
    }

    private async Task ReleaseClaimsAsync(IReadOnlyList<ClaimedItem> claimed, bool refundAttempts)
    {
        try
        {
            await samples.Queue.ReleaseAllAsync(claimed, refundAttempts);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The claims lapse as they would have.
            BehaviourLog.RoundFailed(logger, ex.GetType().Name, ex);
        }
    }

    /// <summary>
    /// Extends the round's claims every third of the visibility window while it runs, so a round held up by slow
    /// judge calls is not redelivered to another evaluator (which would pay the judge twice).
    /// </summary>
    private async Task KeepClaimedAsync(IReadOnlyList<ClaimedItem> claimed, CancellationToken roundEnded)
    {
        var window = samples.Queue.Visibility;
        try
        {
            while (true)
            {
                await Task.Delay(window / 3, time, roundEnded);
                try
                {
                    if (BeforeExtend is { } hook)
                    {
                        await hook();
                    }

                    foreach (var item in claimed)
                    {
                        await samples.Queue.ExtendAsync(item.Id, item.Receipt, window);
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // One beat lost to a brownout: the next one extends the claims again. Ending the heartbeat here let a
                    // slow judged round's claims lapse, and another evaluator judge the same samples again.
                    BehaviourLog.HeartbeatFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<int> ProcessAsync(IReadOnlyList<ClaimedItem> claimed, CancellationToken cancellationToken)
    {
        // One round trip for the batch; a record that cannot be read fails alone.
        var reads = await samples.GetAsync(claimed.Select(c => c.Id).ToArray());

        // A shadow sample's stable pair is usually in the same batch (offered a moment before it): read once. The same
        // record is then scored twice at once (its own round and the pair's); scoring only reads a record.
        var inBatch = new Dictionary<string, SampleRecord>(StringComparer.Ordinal);
        for (var i = 0; i < reads.Length; i++)
        {
            if (reads[i].Record is { } record)
            {
                inBatch.TryAdd(record.Id, record);
            }
            else if (reads[i].Error is { } error)
            {
                BehaviourLog.SampleFailed(logger, claimed[i].Id, error.GetType().Name);
            }
        }

        var toAck = new List<ClaimedItem>(claimed.Count);
        var toRelease = new List<ClaimedItem>();
        // Released with their attempts given back: what failed was the store (a timeout, a lost connection), not them.
        var toRefund = new List<ClaimedItem>();
        var countedBefore = await CountedBeforeAsync(claimed, reads);
        var scoring = new List<Task<(ScoredSample? Sample, bool StoreFailed)>>(claimed.Count);
        var scored = new List<ClaimedItem>(claimed.Count);
        for (var i = 0; i < claimed.Count; i++)
        {
            var (record, error) = reads[i];
            if (error is not null)
            {
                toRelease.Add(claimed[i]);
                continue;
            }

            if (record is null || record.Prompt is null || record.Version is not { } version)
            {
                // Trimmed since it was queued, or a plain-model sample: nothing to score per version.
                metrics.Samples(record is null ? "missing" : "skipped");
                toAck.Add(claimed[i]);
                continue;
            }

            if (record.Reason == SampleReasons.Forced)
            {
                // Forced by a debug key: kept, listed and exported, but neither scored nor counted. Its key chose the
                // request and (by its session) its arm, so in the series it would weigh as a hundred rate samples and
                // steer the arm's readings, the rollout's and the detector's. A shadow copy paired with it still
                // pairs: the pair reads the stable record itself (PairAsync).
                metrics.Samples("forced");
                toAck.Add(claimed[i]);
                continue;
            }

            if (countedBefore.Contains(record.Id))
            {
                // Counted before (a redelivery, or a second push of it): not scored, nor judged, again.
                metrics.Samples("duplicate");
                toAck.Add(claimed[i]);
                continue;
            }

            // Scoring is CPU work up to its first wait (a judge call), and a batch is up to 100 samples: back to
            // the end of the thread pool's queue before each one, so requests queued meanwhile run first instead
            // of waiting for the whole batch (in-process, the evaluator shares the proxy's cores).
            await Task.Yield();
            scoring.Add(ScoreAsync(record, record.Prompt, version, inBatch, cancellationToken));
            scored.Add(claimed[i]);
        }

        // One bad sample or one prompt's failed write costs that sample or that prompt's samples, not the batch.
        var results = await Task.WhenAll(scoring);
        var good = new List<(ClaimedItem Item, ScoredSample Result)>(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] is { Sample: { } result })
            {
                good.Add((scored[i], result));
            }
            else
            {
                (results[i].StoreFailed ? toRefund : toRelease).Add(scored[i]);
            }
        }

        // Per prompt and environment, the store's own counting steps: one environment's failing step must not lose
        // what another's already counted (its readings would never reach the instruments, and its samples would be
        // released, and acked as duplicates when they came back).
        foreach (var prompt in good.GroupBy(g => (g.Result.Prompt, g.Result.Environment)))
        {
            var batch = prompt.ToList();
            try
            {
                var counted = await behaviour.CountAsync([.. batch.Select(b => b.Result)]);
                metrics.Samples("scored", counted.Count);
                metrics.Samples("duplicate", batch.Count - counted.Count);
                // Only what the store counted now: a redelivered sample is in the instruments already.
                foreach (var result in counted)
                {
                    metrics.Record(result);
                }

                toAck.AddRange(batch.Select(b => b.Item));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                BehaviourLog.SampleFailed(logger, prompt.Key.Prompt, ex.GetType().Name);
                (WorkQueue.IsStoreFailure(ex) ? toRefund : toRelease).AddRange(batch.Select(b => b.Item));
            }
        }

        if (BeforeAck is { } hook)
        {
            await hook(claimed);
        }

        await samples.Queue.AckAsync(toAck);
        foreach (var item in toRelease)
        {
            await samples.Queue.ReleaseAsync(item.Id, item.Receipt);
        }

        foreach (var item in toRefund)
        {
            await samples.Queue.ReleaseAsync(item.Id, item.Receipt, refundAttempt: true);
        }

        metrics.Samples("failed", toRelease.Count + toRefund.Count);
        return claimed.Count;
    }

    /// <summary>
    /// The samples of the batch that their prompt's series counted already: redelivered after a worker died or lost its
    /// ack, or pushed twice by a writer whose reply was lost (that second copy is a first delivery: its attempt count
    /// went with the first copy's ack). One round trip per prompt and environment. A store that does not answer leaves them to the
    /// count, which keeps them single.
    /// </summary>
    private async Task<HashSet<string>> CountedBeforeAsync(IReadOnlyList<ClaimedItem> claimed, SampleRead[] reads)
    {
        var counted = new HashSet<string>(StringComparer.Ordinal);
        var lookups = claimed.Select((item, i) => reads[i].Record)
            .Where(r => r is { Prompt: not null, Version: not null })
            .GroupBy(r => (Prompt: r!.Prompt!, Environment: r.Environment ?? "default"))
            .Select(async prompt =>
            {
                try
                {
                    return await behaviour.AlreadyCountedAsync(prompt.Key.Prompt, prompt.Key.Environment, [.. prompt.Select(r => r!.Id)]);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    BehaviourLog.CountedLookupFailed(logger, prompt.Key.Prompt, ex.GetType().Name);
                    return [];
                }
            });
        foreach (var found in await Task.WhenAll(lookups))
        {
            counted.UnionWith(found);
        }

        return counted;
    }

    /// <summary>
    /// The sample's readings; null when it could not be scored (it is released, and dead-lettered after its last attempt
    /// unless <c>StoreFailed</c>: a store timeout or lost connection, which is not the sample's doing).
    /// </summary>
    private async Task<(ScoredSample? Sample, bool StoreFailed)> ScoreAsync(
        SampleRecord record, string prompt, int version, IReadOnlyDictionary<string, SampleRecord> inBatch, CancellationToken cancellationToken)
    {
        JudgeGrant? grant = null;
        try
        {
            var plan = await plans.GetAsync(prompt, version);
            // A failed answer is never judged, nor one whose record has only the answer's start, nor one made only of
            // tool calls (no text to grade): it takes no judge slot and counts no judge call.
            if (plan.NeedsJudge && !SampleScorer.Failed(record) && !record.Response.Cut && !SampleScorer.OnlyToolCalls(record))
            {
                grant = await judges.TryEnterAsync(record.Id, prompt, record.Environment ?? "default", plan.Judge!, cancellationToken);
            }

            var observations = await scorer.ScoreAsync(record, plan, grant, cancellationToken);
            if (record.Variant == Routing.Variants.Shadow)
            {
                return (await PairAsync(record, prompt, version, plan, grant, observations, inBatch, cancellationToken), false);
            }

            return (new ScoredSample(
                record.Id,
                prompt,
                record.Environment ?? "default",
                version,
                record.Variant ?? "-",
                record.Timestamp.ToUnixTimeSeconds() / 60,
                observations,
                Unit: record.Unit), false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            BehaviourLog.SampleFailed(logger, record.Id, ex.GetType().Name);
            return (null, WorkQueue.IsStoreFailure(ex));
        }
        finally
        {
            grant?.Dispose();
        }
    }

    /// <summary>
    /// A shadow sample: the candidate's answer to a copy of a stable request. Its pair is the stable sample of that
    /// request, scored here again under the candidate's plan (the same assertions and the same judge draw for both
    /// answers), and each metric both answers have a reading of becomes one pair. No reading goes to the served
    /// series: no user saw this answer. Without its stable sample (dropped by a full sample queue, or trimmed) the
    /// shadow sample counts as unpaired and adds nothing.
    /// </summary>
    private async Task<ScoredSample> PairAsync(
        SampleRecord record, string prompt, int version, OnlineEvalPlan plan, JudgeGrant? grant, IReadOnlyList<MetricObservation> candidate,
        IReadOnlyDictionary<string, SampleRecord> inBatch, CancellationToken cancellationToken)
    {
        var stable = record.PairedWith is not { } pairedWith ? null
            : inBatch.TryGetValue(pairedWith, out var claimedToo) ? claimedToo
            : await samples.GetAsync(pairedWith);
        var pairs = new List<PairedObservation>();
        if (stable is null || stable.Prompt != prompt || stable.Environment != record.Environment)
        {
            metrics.Samples("unpaired");
        }
        else
        {
            var stableReadings = (await scorer.ScoreAsync(stable, plan, grant, cancellationToken))
                .Where(o => o.Value is not null)
                .GroupBy(o => o.Metric, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Value!.Value, StringComparer.Ordinal);
            foreach (var observation in candidate)
            {
                if (observation.Value is { } value && stableReadings.TryGetValue(observation.Metric, out var stableValue)
                    && BehaviourStore.IsCountable(value) && BehaviourStore.IsCountable(stableValue))
                {
                    pairs.Add(new PairedObservation(observation.Metric, stableValue, value));
                }
            }
        }

        return new ScoredSample(record.Id, prompt, record.Environment ?? "default", version, Routing.Variants.Shadow,
            record.Timestamp.ToUnixTimeSeconds() / 60, [], pairs);
    }
}
