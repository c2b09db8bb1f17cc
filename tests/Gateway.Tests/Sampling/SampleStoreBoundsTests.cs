using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmGateway.Tests.Sampling;

/// <summary>
/// Every sample index stays bounded in the store, not only the prompt's: at 500 samples a second, an index kept for the
/// whole retention would hold hundreds of millions of ids. Written with a cap of 5 samples per prompt.
/// </summary>
public sealed class SampleStoreBoundsTests(TestEnvironment env)
{
    private const int Cap = 5;

    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private int _written;

    [Fact]
    public async Task The_samples_the_prompt_cap_deletes_leave_every_index_the_batch_wrote_them_to()
    {
        var (samples, keys, database) = NewStore();
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");

        var first = Records(prompt, model, version: 1, "stable", 4);
        await WriteAsync(samples, first);
        var second = Records(prompt, model, version: 1, "stable", 4);
        await WriteAsync(samples, second);

        var deleted = first.Take(3).Select(r => r.Id).ToArray();
        var kept = first.Skip(3).Concat(second).Select(r => r.Id).ToArray();
        foreach (var index in new[]
        {
            keys.SamplePromptIndex(prompt), keys.SampleVersionIndex(prompt, 1), keys.SampleArmIndex(prompt, 1, "stable"), keys.SampleModelIndex(model),
        })
        {
            Assert.Equal(kept, (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!));
        }

        foreach (var id in deleted)
        {
            Assert.Null(await database.SortedSetScoreAsync(keys.SampleIndex, id));
            Assert.Null(await samples.GetAsync(id));
        }

        foreach (var id in kept)
        {
            Assert.NotNull(await database.SortedSetScoreAsync(keys.SampleIndex, id));
        }
    }

    [Fact]
    public async Task A_versions_index_loses_the_samples_another_versions_batch_deleted()
    {
        var (samples, keys, database) = NewStore();
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");
        var v1Index = keys.SampleVersionIndex(prompt, 1);
        var v1ArmIndex = keys.SampleArmIndex(prompt, 1, "stable");

        await WriteAsync(samples, Records(prompt, model, version: 1, "stable", Cap));
        // Version 2's batch pushes all of version 1's samples out of the prompt; version 1's index is not in that batch.
        await WriteAsync(samples, Records(prompt, model, version: 2, "canary", Cap));
        var last = Records(prompt, model, version: 1, "stable", 1);
        await WriteAsync(samples, last);

        // The deleted samples' summaries name their version and arm: their ids leave those indexes too (they were once
        // left there, up to the cap, until a listing met them).
        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SamplePromptIndex(prompt)));
        Assert.Equal(1, await database.SortedSetLengthAsync(v1Index));
        Assert.Equal(1, await database.SortedSetLengthAsync(v1ArmIndex));

        // What is listed is what still exists: the newest version 1 sample alone.
        var page = await samples.ListAsync(new SampleFilter { Prompt = prompt, Version = 1 }, limit: 50, cursor: null, TestContext.Current.CancellationToken);
        Assert.Equal([last[0].Id], page.Samples.Select(s => s.Id));
    }

    [Fact]
    public async Task Another_environments_samples_beyond_the_cap_do_not_evict_production_samples_of_the_prompt()
    {
        // Staging's load of a prompt (or any other environment's) once pushed production's samples of it out before the
        // online evaluator had scored them: the cap was one per prompt.
        var (samples, keys, database) = NewStore();
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");

        var production = Records(prompt, model, version: 1, "stable", Cap, "production");
        await WriteAsync(samples, production);
        var staging = Records(prompt, model, version: 1, "stable", 3 * Cap, "staging");
        foreach (var batch in staging.Chunk(Cap))
        {
            await WriteAsync(samples, batch);
        }

        foreach (var record in production)
        {
            Assert.NotNull(await samples.GetAsync(record.Id));
        }

        // Staging keeps its own newest cap; every index of the prompt lists exactly what exists.
        foreach (var record in staging.SkipLast(Cap))
        {
            Assert.Null(await samples.GetAsync(record.Id));
        }

        var kept = production.Concat(staging.TakeLast(Cap)).Select(r => r.Id).ToArray();
        foreach (var index in new[] { keys.SamplePromptIndex(prompt), keys.SampleVersionIndex(prompt, 1), keys.SampleArmIndex(prompt, 1, "stable"), keys.SampleModelIndex(model) })
        {
            Assert.Equal(kept, (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!));
        }

        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SampleCapIndex(prompt, "staging", forced: false)));
        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SampleCapIndex(prompt, "production", forced: false)));
        var page = await samples.ListAsync(new SampleFilter { Prompt = prompt, Environment = "production" }, limit: 50, cursor: null, TestContext.Current.CancellationToken);
        Assert.Equal(production.Reverse().Select(r => r.Id), page.Samples.Select(s => s.Id));
    }

    [Fact]
    public async Task Forced_samples_beyond_the_cap_do_not_evict_the_drawn_samples_of_their_prompt_and_environment()
    {
        // A debug key forcing samples once pushed the arm's drawn samples out of the store before the online evaluator
        // read them (forced ones are never counted into the series).
        var (samples, keys, database) = NewStore();
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");

        var drawn = Records(prompt, model, version: 1, "stable", Cap - 1, "production")
            .Append(Records(prompt, model, version: 1, "stable", 1, "production", SampleReasons.Floor)[0]).ToArray();
        await WriteAsync(samples, drawn);
        var forced = Records(prompt, model, version: 1, "stable", 3 * Cap, "production", SampleReasons.Forced);
        foreach (var batch in forced.Chunk(Cap))
        {
            await WriteAsync(samples, batch);
        }

        foreach (var record in drawn)
        {
            Assert.NotNull(await samples.GetAsync(record.Id));
        }

        foreach (var record in forced.SkipLast(Cap))
        {
            Assert.Null(await samples.GetAsync(record.Id));
        }

        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SampleCapIndex(prompt, "production", forced: true)));
        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SampleCapIndex(prompt, "production", forced: false)));
        var kept = drawn.Concat(forced.TakeLast(Cap)).Select(r => r.Id).ToArray();
        foreach (var index in new[] { keys.SamplePromptIndex(prompt), keys.SampleVersionIndex(prompt, 1), keys.SampleArmIndex(prompt, 1, "stable"), keys.SampleModelIndex(model) })
        {
            Assert.Equal(kept, (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!));
        }
    }

    [Fact]
    public async Task Every_index_written_expires_with_the_retention()
    {
        var (samples, keys, database) = NewStore();
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");

        await WriteAsync(samples, Records(prompt, model, version: 3, "canary", 2));

        foreach (var index in new[]
        {
            keys.SamplePromptIndex(prompt), keys.SampleVersionIndex(prompt, 3), keys.SampleArmIndex(prompt, 3, "canary"), keys.SampleModelIndex(model),
        })
        {
            var ttl = await database.KeyTimeToLiveAsync(index);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromDays(6), TimeSpan.FromDays(7));
        }

        // The index of all samples is shared with the other tests' gateways (14 days' retention): it expires too.
        Assert.NotNull(await database.KeyTimeToLiveAsync(keys.SampleIndex));
    }

    [Fact]
    public async Task Two_instances_trimming_one_prompt_at_the_same_moment_keep_its_newest_cap()
    {
        // A second gateway: its own store connection, as another instance's writer has.
        await using var other = await GatewayHost.StartAsync(env.GatewaySettings());
        var (mine, keys, database) = NewStore();
        var (theirs, _, _) = NewStore(other);
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");
        var index = keys.SamplePromptIndex(prompt);
        var all = new List<SampleRecord>();

        for (var round = 0; round < 10; round++)
        {
            // Each write adds one sample and trims: counted apart from its removal, two trims once removed the same
            // excess twice, the second from the samples within the cap.
            var records = Records(prompt, model, version: 1, "stable", 8);
            all.AddRange(records);
            await Task.WhenAll(records.Select((r, i) => WriteAsync(i % 2 == 0 ? mine : theirs, [r])));

            Assert.Equal(
                all.OrderByDescending(r => r.Timestamp).Take(Cap).Select(r => r.Id).Order(StringComparer.Ordinal),
                (await database.SortedSetRangeByRankAsync(index)).Select(v => (string)v!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_trim_that_fails_after_the_batch_was_stored_does_not_fail_the_write_and_the_next_batch_trims()
    {
        var (samples, keys, database) = NewStore();
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");
        samples.BeforeTrim = _ => throw new TimeoutException("the store stalled");

        // Stored, so the writer must go on to queue it: a throw here made it count the batch lost and never queue it.
        var first = Records(prompt, model, version: 1, "stable", Cap + 3);
        await WriteAsync(samples, first);
        foreach (var record in first)
        {
            Assert.True(await database.KeyExistsAsync(keys.Sample(record.Id)));
        }

        Assert.Equal(Cap + 3, await database.SortedSetLengthAsync(keys.SamplePromptIndex(prompt)));

        samples.BeforeTrim = null;
        await WriteAsync(samples, Records(prompt, model, version: 1, "stable", 1));
        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SamplePromptIndex(prompt)));
    }

    [Fact]
    public async Task A_long_answer_stored_late_is_kept_by_the_cap_and_the_oldest_stored_sample_goes()
    {
        // A sample is written when its answer ends: scored by its request's start, a two-minute answer arrived among the
        // oldest and the cap deleted it before the evaluator read it, so an arm's readings leaned to its short answers.
        // The store's clock is the test's: the quick answers are stored at T (their requests began a minute before),
        // the slow one a second later (its request began two minutes before).
        var clock = new ManualTimeProvider(_start);
        var (samples, keys, database) = NewStore(time: clock);
        var prompt = Bundles.UniqueName("bounds");
        var model = Bundles.UniqueName("model");
        var quick = Records(prompt, model, version: 1, "stable", Cap)
            .Select(r => r with { Timestamp = r.Timestamp.AddMinutes(-1), Id = SampleIds.New(r.Timestamp.AddMinutes(-1)) })
            .ToArray();
        await WriteAsync(samples, quick);
        var slow = Records(prompt, model, version: 1, "stable", 1)[0];
        slow = slow with { Timestamp = _start.AddMinutes(-2), Id = SampleIds.New(_start.AddMinutes(-2)) };
        clock.Advance(TimeSpan.FromSeconds(1));

        await WriteAsync(samples, [slow]);

        Assert.NotNull(await samples.GetAsync(slow.Id));
        Assert.Null(await samples.GetAsync(quick[0].Id));
        Assert.Equal(Cap, await database.SortedSetLengthAsync(keys.SamplePromptIndex(prompt)));
    }

    private (SampleStore Samples, StoreKeys Keys, IDatabase Database) NewStore(GatewayHost? gateway = null, TimeProvider? time = null)
    {
        var store = (gateway ?? env.Gateway).GetRequiredService<GatewayStore>();
        var options = Options.Create(new SamplingOptions { MaxPerPrompt = Cap, Enqueue = false, Retention = TimeSpan.FromDays(7) });
        return (new SampleStore(store, options, time ?? TimeProvider.System), store.Keys, store.Database);
    }

    /// <summary>Records a millisecond apart, each later than every one made before it in the test.</summary>
    private SampleRecord[] Records(string prompt, string model, int version, string variant, int count, string? environment = null, string reason = SampleReasons.Rate) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var at = _start.AddMilliseconds(++_written);
            return new SampleRecord
            {
                Id = SampleIds.New(at),
                RequestId = "req-" + _written,
                Timestamp = at,
                Reason = reason,
                Environment = environment,
                Prompt = prompt,
                Version = version,
                Variant = variant,
                Model = model,
                Provider = "mock",
                KeyId = "key",
                Endpoint = "/v1/chat/completions",
                Input = new SampleInput(),
                Response = new SampleResponse { Status = 200, Text = "ok" },
            };
        }).ToArray();

    // As the writer stores them: each record with its JSON.
    private static Task WriteAsync(SampleStore samples, IEnumerable<SampleRecord> records) =>
        samples.WriteAsync(records.Select(r => new SerializedSample(r, SampleSizeCap.Serialize(r))).ToList());
}
