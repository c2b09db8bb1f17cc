using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Sampling;
using LlmGateway.Sampling.Queue;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace LlmGateway.Tests.Sampling;

/// <summary>Sampling never costs a request: with the store gone, samples are dropped and counted, then resume.</summary>
public sealed class SamplingOutageTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_store_stopped_mid_run_requests_succeed_drops_are_counted_and_sampling_resumes()
    {
        await using var outage = RelayedStore.Start();
        var relay = outage.Relay;
        var settings = outage.GatewaySettings(env);
        settings["Gateway:Sampling:Models:gpt-4o-mini"] = "1";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("outage", "test", []);
        var recorder = gateway.GetRequiredService<SampleRecorder>();
        var gatewayStore = gateway.GetRequiredService<GatewayStore>();

        await SendAsync(gateway, key, "before");
        await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 1);

        relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!gatewayStore.IsConnected), TimeSpan.FromSeconds(5)));
        var droppedBefore = recorder.DroppedCount;
        for (var i = 0; i < 5; i++)
        {
            await SendAsync(gateway, key, $"during {i}");
        }

        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(recorder.DroppedCount >= droppedBefore + 5), TimeSpan.FromSeconds(5)));
        using var scraper = gateway.CreateClient(null);
        Assert.Contains("gateway_samples_dropped_total{", await scraper.GetStringAsync("/metrics", Ct), StringComparison.Ordinal);

        relay.Restore();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(gatewayStore.IsConnected), TimeSpan.FromSeconds(15)));
        await SendAsync(gateway, key, "after");

        var samples = await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 2);
        Assert.Equal(2, samples.Length);
        var texts = new List<string?>();
        foreach (var sample in samples)
        {
            var record = await SampleWaiter.GetAsync(gateway, sample.GetProperty("id").GetString()!);
            texts.Add(record.GetProperty("input").GetProperty("messages")[0].GetProperty("content").GetString());
            Assert.Equal("gpt-4o-mini", record.GetProperty("request").GetProperty("model").GetString());
        }

        Assert.Equal(["after", "before"], texts);
    }

    [Fact]
    public async Task A_batch_whose_write_reply_timed_out_after_it_was_sent_is_queued_for_the_evaluators_and_not_counted_lost()
    {
        await using var stall = RelayedStore.Start();
        var relay = stall.Relay;
        var settings = stall.GatewaySettings(env);
        settings["Gateway:Sampling:Models:gpt-4o-mini"] = "1";
        settings["Gateway:OnlineEval:Enabled"] = "false";
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(settings, builder => builder.Logging.AddProvider(logs));
        var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("stall", "test", []);
        var recorder = gateway.GetRequiredService<SampleRecorder>();
        var database = gateway.GetRequiredService<GatewayStore>().Database;
        var ready = new WorkQueueKeys(gateway.GetRequiredService<GatewayStore>().Keys.Prefix, SampleStore.QueueName).Ready;

        // The key is cached and the writer has a batch behind it before the store stalls.
        await SendAsync(gateway, key, "before");
        await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 1);
        Assert.True(await Eventually.TrueAsync(async () => await database.ListLengthAsync(ready) == 1, TimeSpan.FromSeconds(10)));
        var droppedBefore = recorder.DroppedCount;

        // The batch's commands reach the store and land; their replies come after the command timeout.
        relay.HoldReplies();
        await SendAsync(gateway, key, "during");
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(logs.Lines.Any(l => l.Category == typeof(SampleWriter).FullName && l.Text.Contains(nameof(StackExchange.Redis.RedisTimeoutException), StringComparison.Ordinal))),
            TimeSpan.FromSeconds(15)));
        relay.ReleaseReplies();

        // The next batch also queues what an earlier one could not.
        await SendAsync(gateway, key, "after");
        var ids = (await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 3)).Select(s => s.GetProperty("id").GetString()!).ToList();
        Assert.Equal(3, ids.Count);
        Assert.True(
            await Eventually.TrueAsync(async () => ids.All((await database.ListRangeAsync(ready)).Select(v => (string)v!).ToHashSet().Contains), TimeSpan.FromSeconds(10)),
            $"queued: {string.Join(", ", await database.ListRangeAsync(ready))}; stored: {string.Join(", ", ids)}");
        Assert.Equal(droppedBefore, recorder.DroppedCount);
    }

    private static async Task SendAsync(GatewayHost gateway, string key, string text)
    {
        using var client = gateway.CreateClient(key);
        using var content = new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
