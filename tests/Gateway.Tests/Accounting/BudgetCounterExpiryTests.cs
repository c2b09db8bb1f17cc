using System.Text;
using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Budgets;
using LlmGateway.Contracts.Keys;
using LlmGateway.Providers;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>Budget counters always expire: a settlement never leaves one behind for good.</summary>
public sealed class BudgetCounterExpiryTests(TestEnvironment env)
{
    [Fact]
    public async Task A_request_that_outlives_its_minute_counter_settles_into_one_that_expires()
    {
        var guard = env.Gateway.GetRequiredService<BudgetGuard>();
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var key = new GatewayKey("tpm-" + Guid.NewGuid().ToString("n")[..12], "test", "test", [], DateTimeOffset.UtcNow)
        {
            Limits = new KeyLimits(null, null, 1_000_000),
        };
        Assert.True(env.Gateway.GetRequiredService<ModelCatalog>().TryGetModel("gpt-4o-mini", out var model));
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"a long stream"}]}""");

        var (reservation, error) = await guard.ReserveAsync(key, model, new PromptTokenEstimate(body, model.Encoding), 100);
        Assert.Null(error);
        var minute = $"{store.Keys.Prefix}:{{budget:{key.Id}}}:tpm:{reservation!.At.ToUnixTimeSeconds() / 60}";
        Assert.NotNull(await store.Database.KeyTimeToLiveAsync(minute));

        // The stream ran past the counter's two minutes: it is gone when the request settles. It used fewer tokens
        // than reserved, and a give-back never re-creates a counter (it would be negative, and room nobody gave).
        await store.Database.KeyDeleteAsync(minute);
        await guard.SettleAsync(reservation, new AccountingRecord("gpt-4o-mini", 30, 0, 50, 0, AccountingRecord.Reported, 0.00004m, "stop"));
        Assert.False(await store.Database.KeyExistsAsync(minute));

        // Another that used more than it reserved re-creates the counter with what it adds, and an expiry.
        var (longer, refused) = await guard.ReserveAsync(key, model, new PromptTokenEstimate(body, model.Encoding), 100);
        Assert.Null(refused);
        var minuteOfLonger = $"{store.Keys.Prefix}:{{budget:{key.Id}}}:tpm:{longer!.At.ToUnixTimeSeconds() / 60}";
        await store.Database.KeyDeleteAsync(minuteOfLonger);
        await guard.SettleAsync(longer, new AccountingRecord("gpt-4o-mini", 30, 0, longer.Tokens, 0, AccountingRecord.Reported, 0.0001m, "stop"));

        Assert.Equal(30, (long)await store.Database.StringGetAsync(minuteOfLonger));
        var ttl = await store.Database.KeyTimeToLiveAsync(minuteOfLonger);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120));
    }
}
