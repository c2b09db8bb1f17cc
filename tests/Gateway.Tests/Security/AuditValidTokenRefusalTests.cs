using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>Refusals of a valid token stay audited, with a bounded target and at a bounded rate per token.</summary>
public sealed class AuditValidTokenRefusalTests(TestEnvironment env)
{
    [Fact]
    public async Task A_refusal_of_a_valid_token_is_audited_with_its_target_truncated_to_256_characters()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var viewer = new AdminClient(gateway.Host, TestEnvironment.ViewerToken);
        var name = "t" + new string('n', 3000);

        Assert.Equal("missing_role", (await viewer.PostAsync($"/admin/v1/prompts/{name}/releases/staging/rollback", "{}")).Expect(HttpStatusCode.Forbidden).ErrorCode);

        var entry = Assert.Single(await gateway.EntriesAsync());
        Assert.Equal("vera", entry.Actor);
        Assert.Equal("refused", entry.Outcome);
        Assert.Equal(403, entry.Status);
        Assert.True(entry.Target.Length <= 256, $"target of {entry.Target.Length} characters");
        Assert.StartsWith("name=tnnn", entry.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_of_one_token_are_audited_at_most_n_per_minute_so_it_cannot_flood_the_log()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await AuditGateway.StartAsync(env, new Dictionary<string, string?> { ["Gateway:Admin:Audit:RefusalsPerActorPerMinute"] = "5" }, clock);
        using var viewer = new AdminClient(gateway.Host, TestEnvironment.ViewerToken);
        using var author = new AdminClient(gateway.Host, TestEnvironment.AuthorToken);

        for (var i = 0; i < 50; i++)
        {
            (await viewer.PostAsync("/admin/v1/prompts", "{}")).Expect(HttpStatusCode.Forbidden);
        }

        // Another token's refusals are its own budget; the flooding token's next minute is fresh.
        (await author.PostAsync("/admin/v1/prompts/p/releases/staging/rollback", "{}")).Expect(HttpStatusCode.Forbidden);
        clock.Advance(TimeSpan.FromMinutes(1));
        (await viewer.PostAsync("/admin/v1/prompts", "{}")).Expect(HttpStatusCode.Forbidden);

        var entries = await gateway.EntriesAsync();
        Assert.Equal(6, entries.Count(e => e.Actor == "vera"));
        Assert.Single(entries, e => e.Actor == "ada");
    }
}
