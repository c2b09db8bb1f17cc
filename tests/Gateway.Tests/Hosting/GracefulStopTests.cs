using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using LlmGateway.Usage;
using OpenAI.Chat;

#pragma warning disable SCME0001 // ChatCompletionOptions.Patch: the SDK's way to send extra body fields.

namespace LlmGateway.Tests.Hosting;

/// <summary>
/// A gateway stopped right after serving (a rolling deploy) still writes the usage counts and the samples of every request
/// it served: the writers gather for up to a second before they write, and what they held when the host stopped was lost.
/// </summary>
public sealed class GracefulStopTests(TestEnvironment env)
{
    private const int Requests = 6;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stopped_gateway_writes_the_usage_and_samples_it_held()
    {
        var config = env.GatewaySettings();
        config["Redis:KeyPrefix"] = "gwstop-" + Guid.NewGuid().ToString("N")[..8];
        config["Gateway:Sampling:StableRate"] = "1";
        config["Gateway:OnlineEval:Enabled"] = "false";
        var name = Bundles.UniqueName("stop");
        var started = DateTimeOffset.UtcNow;

        var serving = await GatewayHost.StartAsync(config);
        await using (serving)
        {
            await PromptSetup.ReleaseAsync(serving, name, [PromptSetup.Bundle(name, 1)]);
            var chat = OpenAiClients.For(serving, await PromptSetup.KeyAsync(serving)).GetChatClient("prompt:" + name);
            for (var i = 0; i < Requests; i++)
            {
                var options = new ChatCompletionOptions();
                options.Patch.Set("$.prompt_variables.company"u8, "Acme");
                await chat.CompleteChatAsync([new UserChatMessage($"question {i}")], options, Ct);
            }
        }

        // Read back by another instance on the same store, after the first has stopped.
        await using var reader = await GatewayHost.StartAsync(config);
        var usage = await reader.GetRequiredService<UsageQuery>().RunAsync(
            UsageWindow.For(started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), DateTimeOffset.UtcNow), new Dictionary<string, string> { ["prompt"] = name }, [], TestContext.Current.CancellationToken);
        Assert.Equal(Requests, usage.Sum(row => row.Requests));

        var samples = await reader.GetRequiredService<SampleStore>().ListAsync(new SampleFilter { Prompt = name }, limit: 50, cursor: null, TestContext.Current.CancellationToken);
        Assert.Equal(Requests, samples.Samples.Count);
    }

    [Fact]
    public async Task A_gateway_stopping_with_its_store_gone_drops_what_it_held_counted_and_stops()
    {
        await using var outage = RelayedStore.Start();
        await using var gateway = await GatewayHost.StartAsync(outage.GatewaySettings(env));
        var recorder = gateway.GetRequiredService<SampleRecorder>();
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!gateway.GetRequiredService<GatewayStore>().IsConnected), TimeSpan.FromSeconds(5)));
        var droppedBefore = recorder.DroppedCount;

        // More than two of the writer's batches, queued just before the host stops.
        const int Held = 250;
        var body = System.Text.Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"held"}]}""");
        var response = System.Text.Encoding.UTF8.GetBytes("""{"choices":[{"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
        for (var i = 0; i < Held; i++)
        {
            var capture = SampleCaptures.Chat(body, response) with
            {
                Status = 200,
                ContentType = "application/json",
                QueuedBytes = SampleCapture.Cost(body.Length, 0, response.Length),
            };
            Assert.True(recorder.TryReserve(capture.QueuedBytes));
            recorder.Offer(capture);
        }

        await gateway.DisposeAsync();

        Assert.Equal(droppedBefore + Held, recorder.DroppedCount);
        Assert.Equal(0, recorder.QueuedBytes);
    }
}
