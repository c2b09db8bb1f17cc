using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    [Fact]
    public async Task Anonymous_refusals_from_many_addresses_write_at_most_ten_log_lines_a_second_in_all()
    {
        // One line per address and second let a holder of an IPv6 /48 (65,536 /64s) write thousands of lines a second.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var logs = new CapturingLoggerProvider();
        var settings = env.GatewaySettings();
        settings.Remove("Gateway:Admin:FailedAuthenticationsPerMinute");
        await using var gateway = await GatewayHost.StartAsync(settings, builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new RemoteAddressFromHeader());
            builder.Logging.AddProvider(logs);
        });
        using var http = gateway.CreateClient(apiKey: null);

        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/prompts");
            request.Headers.Add(RemoteAddressFromHeader.Header, IPAddress.Parse($"2001:db8:{i:x}::1").ToString());
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(10, logs.Lines.Count(l => l.Text.Contains("without a valid token", StringComparison.Ordinal)));
        clock.Advance(TimeSpan.FromSeconds(1));
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/prompts"))
        {
            request.Headers.Add(RemoteAddressFromHeader.Header, "2001:db8:ffff::1");
            using var response = await http.SendAsync(request, Ct);
        }

        Assert.Equal(11, logs.Lines.Count(l => l.Text.Contains("without a valid token", StringComparison.Ordinal)));
    }

    /// <summary>Sets each request's remote address from a test header, as many clients' connections would arrive.</summary>
    private sealed class RemoteAddressFromHeader : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public const string Header = "X-Test-Remote-Address";

        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            Microsoft.AspNetCore.Builder.UseExtensions.Use(app, (context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var value) && IPAddress.TryParse(value.ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
