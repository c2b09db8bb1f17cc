using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Sampling;
using LlmGateway.Sampling.Queue;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Sampling;

/// <summary>
/// The evaluators' queue is another key than the samples (another slot on a cluster): a batch stored while its queueing
/// fails is queued again with the next batch, neither lost to the evaluators nor counted as dropped.
/// </summary>
public sealed class SampleQueueingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Samples_stored_while_their_queueing_failed_are_queued_with_the_next_batch()
    {
        var settings = env.GatewaySettings();
        var prefix = env.KeyPrefix + ":unq" + Guid.NewGuid().ToString("N")[..4];
        settings["Redis:KeyPrefix"] = prefix;
        settings["Gateway:Sampling:Models:gpt-4o-mini"] = "1";
        settings["Gateway:OnlineEval:Enabled"] = "false";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var (_, key) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("unqueued", "test", []);
        var database = gateway.GetRequiredService<GatewayStore>().Database;
        var ready = new WorkQueueKeys(prefix, SampleStore.QueueName).Ready;
        var recorder = gateway.GetRequiredService<SampleRecorder>();
        var droppedBefore = recorder.DroppedCount;

        // The queue's list key holds a string: every LPUSH to it fails (WRONGTYPE) while the samples' own writes succeed.
        await database.StringSetAsync(ready, "not a list");
        await SendAsync(gateway, key, "first");
        await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 1);

        await database.KeyDeleteAsync(ready);
        await SendAsync(gateway, key, "second");
        await SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini", 2);

        Assert.True(await Eventually.TrueAsync(async () => await database.ListLengthAsync(ready) == 2, TimeSpan.FromSeconds(10)),
            $"queued: {await database.ListLengthAsync(ready)}");
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
