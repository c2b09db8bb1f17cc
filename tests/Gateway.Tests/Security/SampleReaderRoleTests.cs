using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>Samples (real conversations) are read only with the sample-reader role, and every read is audited.</summary>
public sealed class SampleReaderRoleTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Listing_showing_exporting_and_claiming_samples_need_the_sample_reader_role()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var viewer = new AdminClient(gateway.Host, TestEnvironment.ViewerToken);
        using var operatorClient = new AdminClient(gateway.Host, TestEnvironment.OperatorToken);
        using var reader = new AdminClient(gateway.Host, TestEnvironment.SampleReaderToken);
        const string Id = "smp_0000000000000000000000";

        foreach (var client in (AdminClient[])[viewer, operatorClient])
        {
            Assert.Equal("missing_role", (await client.GetAsync("/admin/v1/samples")).Expect(HttpStatusCode.Forbidden).ErrorCode);
            Assert.Equal("missing_role", (await client.GetAsync("/admin/v1/samples/export")).Expect(HttpStatusCode.Forbidden).ErrorCode);
            Assert.Equal("missing_role", (await client.GetAsync("/admin/v1/samples/" + Id)).Expect(HttpStatusCode.Forbidden).ErrorCode);
            // A claim hands out the samples' content too.
            Assert.Equal("missing_role", (await client.PostAsync("/admin/v1/samples/queue/claim?max=1")).Expect(HttpStatusCode.Forbidden).ErrorCode);
        }

        (await reader.GetAsync("/admin/v1/samples")).Expect(HttpStatusCode.OK);
        (await reader.GetAsync("/admin/v1/samples/export")).Expect(HttpStatusCode.OK);
        (await reader.GetAsync("/admin/v1/samples/" + Id)).Expect(HttpStatusCode.NotFound);
        (await reader.PostAsync("/admin/v1/samples/queue/claim?max=1")).Expect(HttpStatusCode.OK);

        // The queue's counts stay a viewer's; the refused reads are audited as refusals.
        (await viewer.GetAsync("/admin/v1/samples/queue")).Expect(HttpStatusCode.OK);
        var refused = (await gateway.EntriesAsync()).Where(e => e.Outcome == "refused" && e.Status == 403).ToList();
        Assert.Equal(4, refused.Count(e => e.Actor == "vera"));
        Assert.Equal(4, refused.Count(e => e.Actor == "olga"));
    }

    [Fact]
    public async Task Every_list_show_export_and_claim_is_audited_with_who_the_filter_and_the_count()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var reader = new AdminClient(gateway.Host, TestEnvironment.SampleReaderToken);
        var prompt = "audited-" + Guid.NewGuid().ToString("N")[..8];

        (await reader.GetAsync($"/admin/v1/samples?prompt={prompt}&variant=canary&limit=7")).Expect(HttpStatusCode.OK);
        (await reader.GetAsync("/admin/v1/samples/smp_0000000000000000000000")).Expect(HttpStatusCode.NotFound);
        using (var http = gateway.Host.CreateClient(TestEnvironment.SampleReaderToken))
        using (var export = await http.GetAsync($"/admin/v1/samples/export?prompt={prompt}&model=gpt-4o-mini", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            Assert.Equal("", await export.Content.ReadAsStringAsync(Ct));
        }

        (await reader.PostAsync("/admin/v1/samples/queue/claim?max=5")).Expect(HttpStatusCode.OK);

        var entries = (await gateway.EntriesAsync()).Where(e => e.Actor == "sam").ToDictionary(e => e.Action);
        Assert.Equal("max=5; claimed 0", entries["ClaimSamples"].Detail);
        Assert.Equal($"prompt={prompt} variant=canary limit=7; returned 0", entries["ListSamples"].Detail);
        Assert.Equal("ok", entries["ListSamples"].Outcome);
        Assert.Equal("id=smp_0000000000000000000000", entries["ShowSample"].Target);
        Assert.Equal(404, entries["ShowSample"].Status);
        Assert.Equal($"prompt={prompt} model=gpt-4o-mini; exported 0", entries["ExportSamples"].Detail);
        Assert.Equal(200, entries["ExportSamples"].Status);
    }
}
