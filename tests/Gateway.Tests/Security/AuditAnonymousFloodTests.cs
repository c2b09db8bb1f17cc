using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>Anonymous callers cannot fill (or, through a count trim, wipe) the audit log.</summary>
public sealed class AuditAnonymousFloodTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_anonymous_posts_to_admin_routes_leave_the_audit_log_unchanged_and_are_logged_at_most_once_a_second()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await AuditGateway.StartAsync(env, logs: logs);
        using (var admin = new AdminClient(gateway.Host, TestEnvironment.AdminToken))
        {
            // One real entry that must survive the flood.
            (await admin.PushAsync(Bundles.Json(Bundles.UniqueName("flood"), "hello {{ company }}"))).Expect(HttpStatusCode.Created);
        }

        var before = await gateway.EntriesAsync();
        Assert.Single(before);

        string[] routes =
        [
            "/admin/v1/prompts",
            "/admin/v1/prompts/" + new string('x', 2000) + "/releases/staging/rollback",
            "/admin/v1/prompts/p/versions/1/approve",
            "/admin/v1/keys",
            "/admin/v1/samples/queue/claim",
            "/admin/v1/prompts/p/evals",
            "/admin/v1/admin-tokens",
        ];
        using var http = gateway.Host.CreateClient(apiKey: null);
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, routes[i % routes.Length])
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            };
            if (i % 2 == 0)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "guess-" + i);
            }

            using var response = await http.SendAsync(request, ct);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
        });

        Assert.Equal(10_000, statuses.Values.Sum());
        Assert.All(statuses.Keys, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"unexpected {s}"));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.TooManyRequests) > 0, "failed authentications were never rate-limited");

        var after = await gateway.EntriesAsync();
        Assert.Equal(before.Select(e => e.Id), after.Select(e => e.Id));

        // Logged, but rate-limited per address (once a second): a handful of lines for 10,000 refusals, not one each.
        var refusalLogs = logs.Lines.Count(l => l.Text.Contains("without a valid token", StringComparison.Ordinal));
        Assert.InRange(refusalLogs, 1, 100);
    }
}
