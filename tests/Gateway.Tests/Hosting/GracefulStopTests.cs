using LlmGateway.Sampling;
using LlmGateway.Tests.Infrastructure;
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
            started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), new Dictionary<string, string> { ["prompt"] = name }, []);
        Assert.Equal(Requests, usage.Sum(row => row.Requests));

        var samples = await reader.GetRequiredService<SampleStore>().ListAsync(new SampleFilter { Prompt = name }, limit: 50, cursor: null);
        Assert.Equal(Requests, samples.Samples.Count);
    }
}
