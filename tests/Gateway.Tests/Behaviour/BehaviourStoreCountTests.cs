using LlmGateway.Behaviour;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace LlmGateway.Tests.Behaviour;

/// <summary>
/// The counting step against the real store: a batch's deltas are summed per field before they go, so a batch that
/// mixes new samples with redelivered ones must be summed again without the redelivered ones, never half-applied.
/// </summary>
public sealed class BehaviourStoreCountTests(TestEnvironment env)
{
    private const string Environment = "production";
    private const long Minute = 29_000_000;

    [Fact]
    public async Task A_batch_mixing_new_and_redelivered_samples_counts_each_sample_exactly_once()
    {
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var prompt = Bundles.UniqueName("count-once");

        Assert.Equal(2, (await behaviour.CountAsync([Sample(prompt, "a", 100), Sample(prompt, "b", 200)])).Count);

        // b was counted already: only c and d add, and nothing of b's 200 ms.
        // The ones counted now, which the evaluator's own instruments record: not the redelivered b.
        Assert.Equal(["c", "d"], (await behaviour.CountAsync([Sample(prompt, "b", 200), Sample(prompt, "c", 400), Sample(prompt, "d", 800)])).Select(s => s.SampleId).Order(StringComparer.Ordinal));

        // Everything redelivered: nothing adds.
        Assert.Empty(await behaviour.CountAsync([Sample(prompt, "a", 100), Sample(prompt, "d", 800)]));

        var minute = await FieldsAsync(behaviour, prompt, hourly: false);
        var hour = await FieldsAsync(behaviour, prompt, hourly: true);
        foreach (var fields in new[] { minute, hour })
        {
            Assert.Equal(4, fields[Field("latency_ms", SeriesField.Count)]);
            Assert.Equal(1_500, fields[Field("latency_ms", SeriesField.Sum)]);
            Assert.Equal(100.0 * 100 + (200 * 200) + (400 * 400) + (800 * 800), fields[Field("latency_ms", SeriesField.SumOfSquares)]);
            Assert.Equal(4, fields[Field("refusal", SeriesField.Count)]);
            Assert.Equal(4, fields[Field("refusal", SeriesField.Passes)]);
            Assert.False(fields.ContainsKey(Field("refusal", SeriesField.Sum)), "no reading of 'refusal' was non-zero");
        }
    }

    [Fact]
    public async Task The_marks_of_counted_samples_are_one_set_per_prompt_and_environment_bounded_like_the_samples_they_mark()
    {
        // A key per sample, kept two days, grew with the sampling rate far past the samples kept; a mark is only
        // needed while its sample can still be scored: within the retention, among the prompt's newest.
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new LlmGateway.Sampling.SamplingOptions { MaxPerPrompt = 10, Retention = TimeSpan.FromDays(1) };
        var behaviour = new BehaviourStore(store, Microsoft.Extensions.Options.Options.Create(options), clock);
        var prompt = Bundles.UniqueName("marks");
        var marks = store.Keys.BehaviourCounted(prompt, Environment);

        // Ids in the reverse of their order: the newest marks are kept by when they were counted, not by name.
        for (var i = 0; i < 25; i++)
        {
            Assert.Single(await behaviour.CountAsync([Sample(prompt, $"s{99 - i}", 100)]));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(10 * BehaviourStore.MarksPerKeptSample, await store.Database.SortedSetLengthAsync(marks));
        Assert.Equal("s94", (string?)(await store.Database.SortedSetRangeByRankAsync(marks, 0, 0)).Single());
        Assert.Empty(await behaviour.CountAsync([Sample(prompt, "s75", 100), Sample(prompt, "s94", 100)]));
        var ttl = await store.Database.KeyTimeToLiveAsync(marks);
        var kept = options.Retention + BehaviourStore.MarkMargin;
        Assert.True(ttl > kept - TimeSpan.FromMinutes(5) && ttl <= kept, ttl?.ToString());

        // Past the retention (and its margin), the next count drops the marks older than that (their samples expired).
        clock.Advance(kept + TimeSpan.FromSeconds(1));
        Assert.Single(await behaviour.CountAsync([Sample(prompt, "later", 100)]));
        Assert.Equal(1, await store.Database.SortedSetLengthAsync(marks));
    }

    [Fact]
    public async Task Another_environments_counted_samples_do_not_evict_a_production_samples_mark()
    {
        // The marks were one set per prompt: staging's load pushed production's marks out, and a production sample
        // redelivered after that (a lost ack, a requeued dead letter) was counted into its series twice.
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var options = new LlmGateway.Sampling.SamplingOptions { MaxPerPrompt = 10, Retention = TimeSpan.FromDays(1) };
        var behaviour = new BehaviourStore(store, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        var prompt = Bundles.UniqueName("marks-env");

        Assert.Single(await behaviour.CountAsync([Sample(prompt, "p1", 100)]));
        for (var i = 0; i < 3 * options.MaxPerPrompt * BehaviourStore.MarksPerKeptSample; i++)
        {
            Assert.Single(await behaviour.CountAsync([Sample(prompt, $"s{i}", 100) with { Environment = "staging" }]));
        }

        Assert.Empty(await behaviour.CountAsync([Sample(prompt, "p1", 100)]));
        Assert.Equal(1, (await FieldsAsync(behaviour, prompt, hourly: false))[Field("latency_ms", SeriesField.Count)]);
    }

    [Fact]
    public async Task A_sample_marked_in_the_prompts_set_of_before_is_not_counted_again()
    {
        // Marks were one set per prompt; one stored there and redelivered now (a requeued dead letter) adds nothing.
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var prompt = Bundles.UniqueName("marks-before");
        await store.Database.SortedSetAddAsync(store.Keys.BehaviourCountedOfPrompt(prompt), "old", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        Assert.Equal(["new"], (await behaviour.CountAsync([Sample(prompt, "old", 100), Sample(prompt, "new", 200)])).Select(s => s.SampleId));
        Assert.Empty(await behaviour.AlreadyCountedAsync(prompt, "staging", ["new"]));
        Assert.Equal(["new", "old"], (await behaviour.AlreadyCountedAsync(prompt, Environment, ["old", "new"])).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_sample_twice_in_one_batch_counts_once()
    {
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var prompt = Bundles.UniqueName("twice");

        Assert.Equal(2, (await behaviour.CountAsync([Sample(prompt, "a", 100), Sample(prompt, "a", 100), Sample(prompt, "b", 300)])).Count);

        var minute = await FieldsAsync(behaviour, prompt, hourly: false);
        Assert.Equal(2, minute[Field("latency_ms", SeriesField.Count)]);
        Assert.Equal(400, minute[Field("latency_ms", SeriesField.Sum)]);
    }

    [Fact]
    public async Task A_redelivered_batch_still_records_which_series_exist()
    {
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var prompt = Bundles.UniqueName("kinds");
        Assert.Single(await behaviour.CountAsync([Sample(prompt, "a", 100)]));

        // As if the worker had died after the counting step and before the bookkeeping.
        await store.Database.KeyDeleteAsync(store.Keys.BehaviourMetrics(prompt, Environment));
        await store.Database.SetRemoveAsync(store.Keys.BehaviourIndex, prompt + "|" + Environment);
        Assert.Empty(await behaviour.CountAsync([Sample(prompt, "a", 100)]));

        Assert.Contains((prompt, Environment), await behaviour.ListSeriesAsync());
        Assert.Equal(MetricKind.Value, (await behaviour.MetricsAsync(prompt, Environment))["latency_ms"]);
    }

    [Fact]
    public async Task Deltas_that_cancel_out_in_a_batch_write_nothing_and_a_reading_beyond_the_countable_is_an_error()
    {
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var prompt = Bundles.UniqueName("cancel");
        ScoredSample Shadow(string id, double stable, double candidate) =>
            new(id, prompt, Environment, 2, "shadow", Minute, [], [new PairedObservation("refusal", stable, candidate)]);
        var huge = new ScoredSample("h", prompt, Environment, 1, "stable", Minute, [MetricObservation.Measure("latency_ms", 1e101)]);

        Assert.Equal(3, (await behaviour.CountAsync([Shadow("up", 0, 1), Shadow("down", 1, 0), huge])).Count);

        var pairs = (await behaviour.ReadPairsAsync(prompt, Environment, Minute, Minute + 1)).Single()
            .ToDictionary(e => (string)e.Name!, e => (double)e.Value);
        Assert.Equal(2, pairs[$"2|{BehaviourStore.PairDifference}|refusal|{SeriesField.Count}"]);
        Assert.False(pairs.ContainsKey($"2|{BehaviourStore.PairDifference}|refusal|{SeriesField.Sum}"), "+1 and −1 sum to nothing written");
        Assert.Equal(2, pairs[$"2|{BehaviourStore.PairDifference}|refusal|{SeriesField.SumOfSquares}"]);
        var minute = await FieldsAsync(behaviour, prompt, hourly: false);
        Assert.Equal(1, minute[Field("latency_ms", SeriesField.Errors)]);
    }

    [Fact]
    public async Task Paired_readings_of_a_redelivered_shadow_sample_count_once_and_errors_are_counted_apart()
    {
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var prompt = Bundles.UniqueName("pairs-once");
        var shadow = new ScoredSample("s1", prompt, Environment, 2, "shadow", Minute, [], [new PairedObservation("cost", 1.5, 2.5)]);
        var errored = new ScoredSample("e1", prompt, Environment, 1, "stable", Minute, [MetricObservation.Error("latency_ms", MetricKind.Value)]);

        Assert.Equal(2, (await behaviour.CountAsync([shadow, errored])).Count);
        Assert.Single(await behaviour.CountAsync([shadow, errored, shadow with { SampleId = "s2" }]));

        var pairs = (await behaviour.ReadPairsAsync(prompt, Environment, Minute, Minute + 1)).Single()
            .ToDictionary(e => (string)e.Name!, e => (double)e.Value);
        Assert.Equal(2, pairs[$"2|{BehaviourStore.PairDifference}|cost|{SeriesField.Count}"]);
        Assert.Equal(2, pairs[$"2|{BehaviourStore.PairDifference}|cost|{SeriesField.Sum}"]);
        Assert.Equal(5, pairs[$"2|{BehaviourStore.PairCandidate}|cost|{SeriesField.Sum}"]);
        Assert.Equal(2 * 1.5 * 1.5, pairs[$"2|{BehaviourStore.PairStable}|cost|{SeriesField.SumOfSquares}"]);

        var minute = await FieldsAsync(behaviour, prompt, hourly: false);
        Assert.Equal(1, minute[$"1|stable|latency_ms|{SeriesField.Errors}"]);
        Assert.False(minute.ContainsKey($"1|stable|latency_ms|{SeriesField.Count}"));
    }

    [Fact]
    public async Task A_burst_of_pinned_or_shadow_readings_is_no_change_in_what_users_got()
    {
        // An hour of stable answers that never refuse; in its last 20 minutes an evaluation run pins the version (or a
        // shadow step copies requests) and every one of those answers refuses. Users saw no change.
        var behaviour = env.Gateway.GetRequiredService<BehaviourStore>();
        var prompt = Bundles.UniqueName("not-served");
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60;
        var samples = new List<ScoredSample>();
        for (var minute = now - 60; minute < now; minute++)
        {
            for (var i = 0; i < 20; i++)
            {
                samples.Add(new ScoredSample($"s{minute}-{i}", prompt, Environment, 1, "stable", minute, [MetricObservation.Event("refusal", happened: false)]));
                if (minute >= now - 20)
                {
                    var variant = i % 2 == 0 ? "pinned" : "shadow";
                    samples.Add(new ScoredSample($"p{minute}-{i}", prompt, Environment, 1, variant, minute, [MetricObservation.Event("refusal", happened: true)]));
                }
            }
        }

        foreach (var chunk in samples.Chunk(200))
        {
            await behaviour.CountAsync(chunk);
        }

        Assert.DoesNotContain(await env.Gateway.GetRequiredService<BehaviourChangeDetector>().DetectAsync(prompt, Environment), c => c.Metric == "refusal");
    }

    private static ScoredSample Sample(string prompt, string id, double latencyMs) => new(
        id, prompt, Environment, 1, "stable", Minute,
        [MetricObservation.Measure("latency_ms", latencyMs), MetricObservation.Event("refusal", happened: false)]);

    private static string Field(string metric, char stat) => $"1|stable|{metric}|{stat}";

    private static async Task<Dictionary<string, double>> FieldsAsync(BehaviourStore behaviour, string prompt, bool hourly)
    {
        var buckets = await behaviour.ReadAsync(prompt, Environment, Minute, Minute + 1, hourly);
        return buckets.Single().Entries.ToDictionary(e => (string)e.Name!, e => (double)e.Value, StringComparer.Ordinal);
    }
}
