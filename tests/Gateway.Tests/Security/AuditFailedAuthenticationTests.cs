using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>Failed admin authentications are rate-limited per remote address; a valid token is never refused by that limit.</summary>
public sealed class AuditFailedAuthenticationTests(TestEnvironment env)
{
    [Fact]
    public async Task After_n_failed_authentications_an_address_gets_429_with_retry_after_until_its_minute_is_over()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await AuditGateway.StartAsync(env, new Dictionary<string, string?> { ["Gateway:Admin:FailedAuthenticationsPerMinute"] = "3" }, clock);
        using var guesser = new AdminClient(gateway.Host, "wrong-token-0123456789");
        using var anonymous = gateway.Host.CreateClient(apiKey: null);
        using var viewer = new AdminClient(gateway.Host, TestEnvironment.ViewerToken);

        Assert.Equal("invalid_api_key", (await guesser.GetAsync("/admin/v1/prompts")).Expect(HttpStatusCode.Unauthorized).ErrorCode);
        Assert.Equal("invalid_api_key", (await guesser.PostAsync("/admin/v1/prompts", "{}")).Expect(HttpStatusCode.Unauthorized).ErrorCode);
        using (var missing = await anonymous.GetAsync("/admin/v1/audit", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(20));
        using (var limited = await anonymous.GetAsync("/admin/v1/prompts", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 41);
            var error = System.Text.Json.JsonDocument.Parse(await limited.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("error");
            Assert.Equal("too_many_failed_authentications", error.GetProperty("code").GetString());
            Assert.Equal("requests", error.GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }

        // Only failures are limited: an operator sharing the address (an ingress, a NAT) still gets in, while the
        // guesser stays limited.
        (await viewer.GetAsync("/admin/v1/prompts")).Expect(HttpStatusCode.OK);
        Assert.Equal("too_many_failed_authentications", (await guesser.GetAsync("/admin/v1/prompts")).Expect(HttpStatusCode.TooManyRequests).ErrorCode);

        clock.Advance(TimeSpan.FromSeconds(41));
        Assert.Equal("invalid_api_key", (await guesser.GetAsync("/admin/v1/prompts")).Expect(HttpStatusCode.Unauthorized).ErrorCode);
        Assert.Empty(await gateway.EntriesAsync());
    }
}
