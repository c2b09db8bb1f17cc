using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>When an audit entry cannot be written, the error log carries no caller-chosen route values.</summary>
public sealed class AuditWriteFailureLogTests(TestEnvironment env)
{
    [Fact]
    public async Task An_audit_write_failure_is_logged_without_the_raw_route_values()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartWithStoreDownAsync(logs);
        using var viewer = new AdminClient(gateway.Host, TestEnvironment.ViewerToken);
        const string Marker = "ROUTE-VALUE-3c9d\r\nforged-line";

        (await viewer.PostAsync($"/admin/v1/prompts/{Uri.EscapeDataString(Marker)}/releases/staging/rollback", "{}")).Expect(HttpStatusCode.Forbidden);

        // The entry is written (and fails) before the response is sent.
        var failure = Assert.Single(logs.Lines, l => l.Text.Contains("Could not write the audit entry", StringComparison.Ordinal));
        Assert.Contains("RollbackRelease", failure.Text, StringComparison.Ordinal);
        Assert.Contains("vera", failure.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ROUTE-VALUE-3c9d", failure.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains("ROUTE-VALUE-3c9d", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_change_that_fails_on_a_store_outage_is_audited_with_the_503_its_caller_got()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await StartWithStoreDownAsync(logs);
        using var author = new AdminClient(gateway.Host, TestEnvironment.AuthorToken);

        var pushed = await author.PushAsync(Bundles.Json(Bundles.UniqueName("audit-outage")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, pushed.Status);
        // The store is down, so the entry itself cannot be stored: its failure log carries the status it would have held.
        var failure = Assert.Single(logs.Lines, l => l.Text.Contains("Could not write the audit entry", StringComparison.Ordinal));
        Assert.Contains("(status 503)", failure.Text, StringComparison.Ordinal);
    }

    /// <summary>An audited gateway whose store is a closed port, with short store timeouts.</summary>
    private Task<AuditGateway> StartWithStoreDownAsync(CapturingLoggerProvider logs) => AuditGateway.StartAsync(
        env,
        new Dictionary<string, string?> { ["Redis:Configuration"] = $"127.0.0.1:{ClosedPort.Pick()},connectTimeout=300", ["Redis:OperationTimeoutMs"] = "300" },
        logs: logs);
}
