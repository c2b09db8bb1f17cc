using LlmGateway.Hosting;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using OpenAI.Chat;

namespace LlmGateway.Tests.Functional;

/// <summary>The README's first command: <c>--demo</c> serves the OpenAI SDK, streamed and not, with nothing else installed.</summary>
public sealed class DemoModeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("--REDIS_URL=redis://127.0.0.1:6379")]
    [InlineData("--Redis:Configuration=127.0.0.1:6379")]
    public async Task The_demo_refuses_to_start_on_a_configured_store(string store)
    {
        // Its published tokens would control the real gateways on that store, and what they issued would outlive it.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayApp.BuildAsync(["--demo", "--urls", "http://127.0.0.1:0", store]));

        Assert.Contains("embedded store only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_keeps_no_state_whatever_data_directory_the_environment_sets()
    {
        // The image sets Redis__Embedded__DataDirectory=/data on its volume: what the demo's published tokens issue there
        // (admin tokens, gateway keys) would be valid in a production gateway started later on the same volume.
        var builder = WebApplication.CreateBuilder();
        // REDIS_URL hidden as the other demo tests hide it (CI runs the suite with it set).
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redis:Embedded:DataDirectory"] = "/data",
            ["REDIS_URL"] = "",
            ["Redis:Configuration"] = "",
        });

        var demo = await DemoMode.ApplyAsync(builder, ["--demo", "--urls", "http://127.0.0.1:0"]);

        try
        {
            Assert.NotNull(demo);
            Assert.True(string.IsNullOrEmpty(builder.Configuration["Redis:Embedded:DataDirectory"]), builder.Configuration["Redis:Embedded:DataDirectory"]);
        }
        finally
        {
            await demo!.StopMockAsync();
        }
    }

    [Fact]
    public async Task The_demo_refuses_a_data_directory_given_on_its_command_line()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => GatewayApp.BuildAsync(["--demo", "--urls", "http://127.0.0.1:0", "--REDIS_URL=", "--Redis:Embedded:DataDirectory=/tmp/demo-state"]));

        Assert.Contains("keeps no state", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_serves_chat_and_streamed_chat_to_the_openai_sdk()
    {
        // The repo's real config folder (copied next to the binaries) plus --demo, as a user runs it;
        // only the port is changed so the test does not need 8080, and REDIS_URL is hidden.
        var app = await GatewayApp.BuildAsync(["--demo", "--urls", "http://127.0.0.1:0", "--REDIS_URL=", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync(Ct);
        try
        {
            var gateway = new Uri(app.Urls.First());
            var client = new OpenAI.OpenAIClient(
                new System.ClientModel.ApiKeyCredential(DemoMode.DemoKey),
                new OpenAI.OpenAIClientOptions { Endpoint = new Uri(gateway, "/v1") });
            var chat = client.GetChatClient("gpt-4o-mini");

            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("demo")], cancellationToken: Ct);
            var streamed = new System.Text.StringBuilder();
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("demo stream")], cancellationToken: Ct))
            {
                foreach (var part in update.ContentUpdate)
                {
                    streamed.Append(part.Text);
                }
            }

            Assert.Equal("mock reply to model=gpt-4o-mini system=- user=demo", completion.Content[0].Text);
            Assert.Equal("mock reply to model=gpt-4o-mini system=- user=demo stream", streamed.ToString());

            using var http = new HttpClient { BaseAddress = gateway };
            using var ready = await http.GetAsync("/readyz", Ct);
            Assert.True(ready.IsSuccessStatusCode, await ready.Content.ReadAsStringAsync(Ct));
        }
        finally
        {
            await app.StopAsync(Ct);
            await app.DisposeAsync();
        }
    }
}
