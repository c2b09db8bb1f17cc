using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

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

    private static async Task SendAsync(GatewayHost gateway, string key, string text)
    {
        using var client = gateway.CreateClient(key);
        using var content = new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
