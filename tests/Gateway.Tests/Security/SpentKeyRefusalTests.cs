using System.Net;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Contracts.Keys;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LlmGateway.Tests.Security;

/// <summary>
/// A key whose day is spent gets its refusal before its request is rendered, checked or tokenized (for a moment after an
/// instance found it spent): a spent key cannot buy the gateway's work for free with every refused request.
/// </summary>
public sealed class SpentKeyRefusalTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(100_000)]
    // Not at the limit: ten nano-dollars of room, less than any request to the model costs (where a spent key's counter
    // usually rests, as settlements give back what requests did not use).
    [InlineData(99_990)]
    public async Task A_spent_keys_requests_are_refused_before_rendering_until_the_moment_passes(long spentNanoUsd)
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-spent-" + Guid.NewGuid().ToString("N")[..8];
        await using var gateway = await GatewayHost.StartAsync(settings, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var name = Bundles.UniqueName("spent");
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1)]);
        var (key, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("spent", PromptSetup.Environment, [], new KeyLimits(0.0001m, null, null));
        var store = gateway.GetRequiredService<GatewayStore>();
        // The day is spent (0.0001 USD is 100,000 nano-USD), as earlier requests would have left it.
        await store.Database.StringSetAsync($"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:{clock.GetUtcNow():yyyyMMdd}", spentNanoUsd);
        using var client = gateway.CreateClient(secret);
        var unrendered = $$"""{"model":"prompt:{{name}}","messages":[{"role":"user","content":"hi"}]}""";

        // Before any refusal the instance does the work: the render answers first (its required variable is missing).
        Assert.Equal((HttpStatusCode.BadRequest, "missing_variable"), await PostAsync(client, unrendered));

        // A request that reaches the store finds the day unable to hold it: from then on, for a moment, the key's
        // requests that could not fit are refused before the prompt is rendered or the input counted.
        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded"), await PostAsync(client, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded"), await PostAsync(client, unrendered));

        // Past the moment the store is asked again (the day may have room by then: reservations settle).
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((HttpStatusCode.BadRequest, "missing_variable"), await PostAsync(client, unrendered));
    }

    [Fact]
    public async Task A_spent_day_is_not_remembered_into_the_next_day()
    {
        // Found spent half a second before midnight: the new day's counter is empty, and its requests are served (the
        // memo answered them with a Retry-After of a whole day).
        var clock = new ManualTimeProvider(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1).AddMilliseconds(-500), TimeSpan.Zero));
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + "-spent-" + Guid.NewGuid().ToString("N")[..8];
        await using var gateway = await GatewayHost.StartAsync(settings, builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var (key, secret) = await gateway.GetRequiredService<GatewayKeyStore>().CreateAsync("spent-midnight", PromptSetup.Environment, [], new KeyLimits(0.0001m, null, null));
        var store = gateway.GetRequiredService<GatewayStore>();
        await store.Database.StringSetAsync($"{store.Keys.Prefix}:{{budget:{key.Id}}}:day:{clock.GetUtcNow():yyyyMMdd}", 100_000);
        using var client = gateway.CreateClient(secret);
        const string Cheap = """{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""";
        Assert.Equal((HttpStatusCode.TooManyRequests, "budget_exceeded"), await PostAsync(client, Cheap));

        clock.Advance(TimeSpan.FromMilliseconds(600));

        using var content = new StringContent(Cheap, System.Text.Encoding.UTF8, "application/json");
        using var served = await client.PostAsync("/v1/chat/completions", content, Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Theory]
    [InlineData(5, "2026-12-06T23:59:59.5Z", "2026-12-07T00:00:00Z")]
    [InlineData(6, "2026-12-31T10:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData(7, "2026-12-06T10:41:59.9Z", "2026-12-06T10:42:00Z")]
    public void A_verdict_is_remembered_at_most_to_the_end_of_its_counters_period(int verdict, string at, string end) =>
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), LlmGateway.Budgets.ExhaustedKeys.PeriodEnd(verdict, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<(HttpStatusCode Status, string? Code)> PostAsync(HttpClient client, string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return (response.StatusCode, json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
