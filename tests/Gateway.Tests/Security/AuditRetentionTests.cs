using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>The audit log is trimmed by age, and a count guard never drops the last day.</summary>
public sealed class AuditRetentionTests(TestEnvironment env)
{
    [Fact]
    public async Task Entries_are_trimmed_by_age_after_the_configured_retention_not_by_a_fixed_count()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualTimeProvider(start);
        await using var gateway = await AuditGateway.StartAsync(env, new Dictionary<string, string?> { ["Gateway:Admin:Audit:RetentionDays"] = "30" }, clock);

        await gateway.Audit.RecordAsync("olga", "SetRelease", "name=old", 200, null);
        clock.Advance(TimeSpan.FromDays(29));
        await gateway.Audit.RecordAsync("olga", "SetRelease", "name=recent", 200, null);
        Assert.Equal(["name=recent", "name=old"], (await gateway.EntriesAsync()).Select(e => e.Target));

        clock.Advance(TimeSpan.FromDays(2));
        await gateway.Audit.RecordAsync("olga", "SetRelease", "name=now", 200, null);
        Assert.Equal(["name=now", "name=recent"], (await gateway.EntriesAsync()).Select(e => e.Target));
    }

    [Fact]
    public async Task The_count_guard_trims_only_entries_older_than_a_day()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var gateway = await AuditGateway.StartAsync(env, new Dictionary<string, string?> { ["Gateway:Admin:Audit:MaxEntries"] = "1000" }, clock);

        for (var i = 0; i < 300; i++)
        {
            await gateway.Audit.RecordAsync("olga", "SetRelease", "old", 200, null);
        }

        clock.Advance(TimeSpan.FromDays(2));
        var writes = Enumerable.Range(0, 1200).Select(_ => gateway.Audit.RecordAsync("ada", "PushPrompt", "today", 200, null));
        await Task.WhenAll(writes);

        var entries = await gateway.EntriesAsync();
        Assert.Equal(1200, entries.Count(e => e.Target == "today"));
        Assert.DoesNotContain(entries, e => e.Target == "old");
    }
}
