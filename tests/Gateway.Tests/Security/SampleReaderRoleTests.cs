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

        // The queue's counts stay a viewer's; the refused reads are audited as refusals.
        (await viewer.GetAsync("/admin/v1/samples/queue")).Expect(HttpStatusCode.OK);
        var refused = (await gateway.EntriesAsync()).Where(e => e.Outcome == "refused" && e.Status == 403).ToList();
        Assert.Equal(4, refused.Count(e => e.Actor == "vera"));
        Assert.Equal(4, refused.Count(e => e.Actor == "olga"));
    }

    [Fact]
    public async Task Claiming_acking_and_releasing_on_the_evaluators_queue_need_the_operator_role_and_a_claim_also_sample_reader()
    {
        // The queue is the built-in evaluation's: what an outside consumer claims and acks is never counted into the
        // series a rollout's verdict and the change detector read, so a reader of samples must not drain it.
        await using var gateway = await AuditGateway.StartAsync(env);
        using var reader = new AdminClient(gateway.Host, TestEnvironment.SampleReaderToken);
        using var operatorClient = new AdminClient(gateway.Host, TestEnvironment.OperatorToken);
        using var both = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        const string Receipt = """{"id":"smp_0000000000000000000000","receipt":"not-a-held-claim"}""";

        Assert.Equal("missing_role", (await reader.PostAsync("/admin/v1/samples/queue/claim?max=1000&visibility_seconds=86400")).Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Equal("missing_role", (await reader.PostAsync("/admin/v1/samples/queue/ack", Receipt)).Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Equal("missing_role", (await reader.PostAsync("/admin/v1/samples/queue/release", Receipt)).Expect(HttpStatusCode.Forbidden).ErrorCode);
        // A claim hands out the samples' content: an operator needs the sample-reader role for it as well.
        Assert.Equal("missing_role", (await operatorClient.PostAsync("/admin/v1/samples/queue/claim?max=1")).Expect(HttpStatusCode.Forbidden).ErrorCode);

        (await both.PostAsync("/admin/v1/samples/queue/claim?max=1")).Expect(HttpStatusCode.OK);
        // Settling reads nothing: an operator's alone (this receipt holds no claim).
        Assert.Equal("claim_lapsed", (await operatorClient.PostAsync("/admin/v1/samples/queue/ack", Receipt)).Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("claim_lapsed", (await operatorClient.PostAsync("/admin/v1/samples/queue/release", Receipt)).Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal(3, (await gateway.EntriesAsync()).Count(e => e.Actor == "sam" && e.Outcome == "refused" && e.Status == 403));
    }

    [Fact]
    public async Task Every_list_show_export_and_claim_is_audited_with_who_the_filter_and_the_count()
    {
        await using var gateway = await AuditGateway.StartAsync(env);
        using var reader = new AdminClient(gateway.Host, TestEnvironment.SampleReaderToken);
        using var claimer = new AdminClient(gateway.Host, TestEnvironment.AdminToken);
        var prompt = "audited-" + Guid.NewGuid().ToString("N")[..8];

        (await reader.GetAsync($"/admin/v1/samples?prompt={prompt}&variant=canary&limit=7")).Expect(HttpStatusCode.OK);
        (await reader.GetAsync("/admin/v1/samples/smp_0000000000000000000000")).Expect(HttpStatusCode.NotFound);
        using (var http = gateway.Host.CreateClient(TestEnvironment.SampleReaderToken))
        using (var export = await http.GetAsync($"/admin/v1/samples/export?prompt={prompt}&model=gpt-4o-mini", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            Assert.Equal("", await export.Content.ReadAsStringAsync(Ct));
        }

        (await claimer.PostAsync("/admin/v1/samples/queue/claim?max=5")).Expect(HttpStatusCode.OK);

        Assert.Equal("max=5; claimed 0", (await gateway.EntriesAsync()).Single(e => e.Actor == "admin" && e.Action == "ClaimSamples").Detail);
        var entries = (await gateway.EntriesAsync()).Where(e => e.Actor == "sam").ToDictionary(e => e.Action);
        Assert.Equal($"prompt={prompt} variant=canary limit=7; returned 0", entries["ListSamples"].Detail);
        Assert.Equal("ok", entries["ListSamples"].Outcome);
        Assert.Equal("id=smp_0000000000000000000000", entries["ShowSample"].Target);
        Assert.Equal(404, entries["ShowSample"].Status);
        Assert.Equal($"prompt={prompt} model=gpt-4o-mini; exported 0", entries["ExportSamples"].Detail);
        Assert.Equal(200, entries["ExportSamples"].Status);
    }
}
