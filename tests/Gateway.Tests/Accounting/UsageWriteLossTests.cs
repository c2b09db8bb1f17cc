using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Usage;

namespace LlmGateway.Tests.Accounting;

/// <summary>Usage counts a store outage loses are counted as dropped, as a full channel's are: never lost unseen.</summary>
public sealed class UsageWriteLossTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Counts_a_failed_write_loses_are_counted_as_dropped_samples()
    {
        await using var outage = RelayedStore.Start();
        await using var gateway = await GatewayHost.StartAsync(outage.GatewaySettings(env));
        var (_, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("usage-loss", "test", []);
        var recorder = gateway.GetRequiredService<UsageRecorder>();
        using var client = gateway.CreateClient(secret);

        try
        {
            // The key is seen once with the store up; the next request, with the store cut, is served on what the gateway
            // knows of the key, and its usage can only be written to a store that is not there.
            using (var seen = await AskAsync(client))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, seen.StatusCode);
            }

            outage.Relay.Cut();
            using (var cut = await AskAsync(client))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, cut.StatusCode);
            }

            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(recorder.Dropped >= 1), TimeSpan.FromSeconds(20)), "the lost sample is counted");
        }
        finally
        {
            outage.Relay.Restore();
        }
    }

    private static Task<HttpResponseMessage> AskAsync(HttpClient client) => client.PostAsync(
        "/v1/chat/completions",
        new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"count me"}]}""", System.Text.Encoding.UTF8, "application/json"),
        Ct);
}
