using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Accounting;

/// <summary>Every request lands in the Redis usage counters, queryable by prompt, version, variant, model and key.</summary>
public sealed class UsageCountersTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_ninety_day_query_sums_every_hour_it_reads_in_groups()
    {
        // Counters in hours spread over 89 days (the query reads them a day's worth at a time): every one counts once.
        var name = Bundles.UniqueName("usage90");
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        var now = DateTimeOffset.UtcNow;
        var field = LlmGateway.Usage.UsageDimensions.Join(name, 1, "stable", "gpt-4o-mini", "key_ninety") + "|" + LlmGateway.Usage.UsageMetrics.Requests;
        var hours = Enumerable.Range(1, 89 * 24).Where(h => h % 7 == 0).Select(h => (now.AddHours(-h).ToUnixTimeSeconds() / 3600) * 60).ToArray();
        foreach (var hour in hours)
        {
            await store.Database.HashIncrementAsync(store.Keys.UsageHour(hour), field, 3);
        }

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var from = Uri.EscapeDataString(now.AddDays(-89.9).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var rows = (await viewer.GetAsync($"/admin/v1/usage?prompt={name}&from={from}&groupBy=variant")).Expect(HttpStatusCode.OK).Json;

        var row = Assert.Single(rows.EnumerateArray());
        Assert.Equal(hours.Length * 3L, row.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task Requests_are_counted_per_prompt_version_and_arm_with_tokens_and_cost()
    {
        var name = Bundles.UniqueName("usage");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)], canaryVersion: 2, canaryWeight: 5000);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        using var client = env.Gateway.CreateClient(key);
        var served = new Dictionary<string, int>();
        long outputTokens = 0;
        for (var i = 0; i < 12; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"hi {{i}}"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Session-Id", $"u{i}");
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var arm = response.Headers.GetValues("X-Prompt-Variant").Single();
            served[arm] = served.GetValueOrDefault(arm) + 1;
            outputTokens += long.Parse(response.Headers.GetValues("X-Gateway-Output-Tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        }

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?prompt={name}&groupBy=version,variant"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 12,
            TimeSpan.FromSeconds(5));

        var byArm = rows.Expect(HttpStatusCode.OK).Json.EnumerateArray().ToDictionary(r => r.GetProperty("group").GetProperty("variant").GetString()!);
        foreach (var (arm, count) in served)
        {
            Assert.Equal(count, byArm[arm].GetProperty("requests").GetInt64());
            Assert.Equal(arm == "canary" ? "2" : "1", byArm[arm].GetProperty("group").GetProperty("version").GetString());
        }

        Assert.Equal(outputTokens, byArm.Values.Sum(r => r.GetProperty("output_tokens").GetInt64()));
        Assert.True(byArm.Values.Sum(r => r.GetProperty("cost_usd").GetDecimal()) > 0);
        Assert.Equal(12, byArm.Values.Sum(r => r.GetProperty("latency_ms").EnumerateObject().Sum(b => b.Value.GetInt64())));

        // A dimension named twice is grouped by once (it answered 500 once any row was in range).
        var twice = (await viewer.GetAsync($"/admin/v1/usage?prompt={name}&groupBy=variant,version,variant")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        Assert.Equal(byArm.Count, twice.Count);
        Assert.All(twice, row => Assert.Equal(2, row.GetProperty("group").EnumerateObject().Count()));

        // And the same through gatewayctl.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await LlmGateway.Cli.GatewayCtl.RunAsync(
            ["usage", "--prompt", name, "--group-by", "variant"], stdout, stderr, handler: null,
            new Dictionary<string, string?> { ["GATEWAY_URL"] = env.Gateway.BaseUrl.ToString(), ["GATEWAY_ADMIN_TOKEN"] = TestEnvironment.ViewerToken }, Ct);
        Assert.True(exit == 0, stderr.ToString());
        Assert.Contains("VARIANT", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("stable", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_refusal_passed_through_is_counted_but_not_as_an_unpriced_request()
    {
        var name = Bundles.UniqueName("usage-error");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        using var client = env.Gateway.CreateClient(await PromptSetup.KeyAsync(env.Gateway));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        // A 400 the provider answers (not retried, and no weight in its health): passed through, nothing billed.
        request.Headers.Add("x-mock-status", "400");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var row = (await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?prompt={name}&groupBy=version"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(5))).Json.EnumerateArray().Single();
        // Errors are the gateway's and the provider's failures (5xx, cut streams); a 400 is the request's own fault.
        Assert.Equal((1, 0, 0), (row.GetProperty("requests").GetInt64(), row.GetProperty("errors").GetInt64(), row.GetProperty("unpriced_requests").GetInt64()));
    }

    [Fact]
    public async Task Bad_query_parameters_are_400()
    {
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);

        Assert.Equal("groupBy", (await viewer.GetAsync("/admin/v1/usage?groupBy=colour")).Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("param").GetString());
        (await viewer.GetAsync("/admin/v1/usage?from=yesterday")).Expect(HttpStatusCode.BadRequest);

        // 'to' alone is the hour before it, however long ago.
        var yesterday = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        (await viewer.GetAsync($"/admin/v1/usage?to={yesterday}")).Expect(HttpStatusCode.OK);

        // Instants the buckets cannot hold are refused, not a 500.
        (await viewer.GetAsync("/admin/v1/usage?to=0001-01-01T00:30:00Z")).Expect(HttpStatusCode.BadRequest);
        (await viewer.GetAsync("/admin/v1/usage?from=9999-12-31T23:00:00Z&to=9999-12-31T23:59:59Z")).Expect(HttpStatusCode.BadRequest);
    }
}
