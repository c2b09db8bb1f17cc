using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Entries of the last day are never trimmed, so a valid token's audited requests are limited per minute:
/// a low-privilege token looping on an audited read (or a change) cannot grow the log without bound.
/// </summary>
public sealed class AuditedActionLimitTests(TestEnvironment env)
{
    [Fact]
    public async Task A_token_past_its_audited_requests_for_the_minute_gets_429_before_any_work_and_adds_no_entry()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await AuditGateway.StartAsync(
            env, new Dictionary<string, string?> { ["Gateway:Admin:Audit:AuditedActionsPerActorPerMinute"] = "3" }, clock);
        using var reader = new AdminClient(gateway.Host, TestEnvironment.SampleReaderToken);
        using var author = new AdminClient(gateway.Host, TestEnvironment.AuthorToken);

        for (var i = 0; i < 3; i++)
        {
            (await reader.GetAsync("/admin/v1/samples?limit=1")).Expect(HttpStatusCode.OK);
        }

        // Past the limit: refused with OpenAI's shape and a Retry-After, and not written to the log.
        using var http = gateway.Host.CreateClient(TestEnvironment.SampleReaderToken);
        using var refused = await http.GetAsync("/admin/v1/samples?limit=1", TestContext.Current.CancellationToken);
        var body = await ErrorAssertions.AssertOpenAiErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        Assert.Contains("audited requests", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        for (var i = 0; i < 20; i++)
        {
            (await reader.GetAsync("/admin/v1/samples?limit=1")).Expect(HttpStatusCode.TooManyRequests);
        }

        // A change past the limit does nothing: the bundle is not stored.
        var name = Bundles.UniqueName("audit-limit");
        for (var i = 0; i < 3; i++)
        {
            (await author.PushAsync(Bundles.Json(Bundles.UniqueName("audit-limit-ok")))).Expect(HttpStatusCode.Created);
        }

        Assert.Equal("rate_limit_exceeded", (await author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.TooManyRequests).ErrorCode);
        using var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        Assert.Equal("prompt_not_found", (await admin.GetAsync($"/admin/v1/prompts/{name}")).Expect(HttpStatusCode.NotFound).ErrorCode);

        // A limited token's unaudited reads still answer, and its next minute is fresh.
        (await reader.GetAsync("/admin/v1/prompts")).Expect(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(1));
        (await reader.GetAsync("/admin/v1/samples?limit=1")).Expect(HttpStatusCode.OK);

        var entries = await gateway.EntriesAsync();
        Assert.Equal(4, entries.Count(e => e.Actor == "sam"));
        Assert.Equal(3, entries.Count(e => e.Actor == "ada"));
        Assert.DoesNotContain(entries, e => e.Status == 429);
    }
}
