using System.ClientModel;
using System.Net;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A spray of random API keys cannot make every request cost a store read: past the per-address limit of unknown keys,
/// further unknown keys get 429 without one, while keys the instance knows keep working.
/// </summary>
public sealed class KeySprayLimitTests(TestEnvironment env)
{
    [Fact]
    public async Task Past_the_limit_unknown_keys_get_429_without_a_store_read_known_keys_pass_and_the_minute_ends_it()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var reads = new StoreReadCounter();
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-spray-" + Guid.NewGuid().ToString("N")[..8];
        settings["Gateway:Auth:FailedLookupsPerAddressPerMinute"] = "3";
        await using var gateway = await GatewayHost.StartAsync(settings, builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSingleton<ICredentialLookupHook>(reads);
        });
        var keys = gateway.GetRequiredService<GatewayKeyStore>();
        var (_, known) = await keys.CreateAsync("spray-known", "production", []);
        var (_, unseen) = await keys.CreateAsync("spray-unseen", "production", []);
        var chat = OpenAiClients.For(gateway, known).GetChatClient("gpt-4o-mini");
        Assert.NotNull((await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken)).Value);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("invalid_api_key", (await PostAsync(gateway, GatewayKeySecret.Generate())).Code);
        }

        var readsBefore = reads.Count;
        var limited = await PostAsync(gateway, GatewayKeySecret.Generate());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("too_many_failed_authentications", limited.Code);
        Assert.Equal("requests", limited.Type);
        Assert.InRange(limited.RetryAfter!.Value.TotalSeconds, 1, 60);

        // A valid key this instance has not seen yet would need a read too: it waits out the minute like the spray.
        Assert.Equal("too_many_failed_authentications", (await PostAsync(gateway, unseen)).Code);
        Assert.Equal(readsBefore, reads.Count);

        // A key the instance knows is never refused by the limit (through the official SDK, as an app calls).
        Assert.NotNull((await chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken)).Value);

        clock.Advance(TimeSpan.FromSeconds(61));
        var fresh = OpenAiClients.For(gateway, unseen).GetChatClient("gpt-4o-mini");
        Assert.NotNull((await fresh.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken)).Value);
        Assert.Equal("invalid_api_key", (await PostAsync(gateway, GatewayKeySecret.Generate())).Code);
        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            OpenAiClients.For(gateway, GatewayKeySecret.Generate()).GetChatClient("gpt-4o-mini").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(401, error.Status);
    }

    [Fact]
    public async Task While_the_store_fails_the_failure_is_logged_once_a_second_and_valid_keys_are_not_locked_out_after()
    {
        // A warning per request while the store was down. The failures are not counted against the address: behind an
        // ingress a short outage would refuse every valid key not yet cached for the rest of the minute after it.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var settings = env.GatewaySettings();
        settings["Gateway:Auth:FailedLookupsPerAddressPerMinute"] = "3";
        using var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayHost.StartAsync(settings, builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSingleton<ICredentialLookupHook>(new FailingStore());
            builder.Logging.AddProvider(logs);
        });

        var answers = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await PostAsync(gateway, GatewayKeySecret.Generate())).Code);
        }

        Assert.Equal(["store_unavailable", "store_unavailable", "store_unavailable", "store_unavailable", "store_unavailable"], answers);
        Assert.Single(logs.Lines, line => line.Text.StartsWith("Could not verify a gateway key", StringComparison.Ordinal));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("store_unavailable", (await PostAsync(gateway, GatewayKeySecret.Generate())).Code);
        Assert.Equal(2, logs.Lines.Count(line => line.Text.StartsWith("Could not verify a gateway key", StringComparison.Ordinal)));
    }

    private static async Task<(HttpStatusCode Status, string? Code, string? Type, TimeSpan? RetryAfter)> PostAsync(GatewayHost gateway, string key)
    {
        using var client = gateway.CreateClient(key);
        using var content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("error");
        return (response.StatusCode, error.GetProperty("code").GetString(), error.GetProperty("type").GetString(), response.Headers.RetryAfter?.Delta);
    }

    /// <summary>A store that fails every credential read, as one in an outage does.</summary>
    private sealed class FailingStore : ICredentialLookupHook
    {
        public ValueTask AfterStoreReadAsync(string secretHash) =>
            throw new StackExchange.Redis.RedisConnectionException(
                StackExchange.Redis.ConnectionFailureType.SocketFailure, StackExchange.Redis.CommandFlags.None, "The store is down (test).", null, StackExchange.Redis.CommandStatus.Unknown);
    }

    /// <summary>Counts the authenticator's store reads (the hook runs after each one).</summary>
    private sealed class StoreReadCounter : ICredentialLookupHook
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public ValueTask AfterStoreReadAsync(string secretHash)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }
    }
}
