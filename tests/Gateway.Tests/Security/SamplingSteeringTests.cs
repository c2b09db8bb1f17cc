using System.Net;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: whether a request is sampled is the gateway's own draw per request, never derived from
/// what the client sends. A client picks its X-Request-Id; it can neither pick one that gets sampled
/// nor replay one that was. Forcing stays with keys that hold the <c>debug</c> permission.
/// </summary>
public sealed class SamplingSteeringTests(TestEnvironment env)
{
    private static readonly CatalogModel Model = new("gpt-4o-mini", new Provider("p", new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" }), "gpt-4o-mini", null);
    private static readonly GatewayKey Key = new("key_hostile", "app", "production", [], DateTimeOffset.UnixEpoch);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Request_ids_forged_to_fall_under_the_rate_are_sampled_at_the_rate_only()
    {
        const int Requests = 4000;
        const double Rate = 0.01;
        var forged = SamplingForgedIds.UnderRate(Rate, Requests);
        var policy = Policy(new SamplingOptions { StableRate = Rate, PlainRate = Rate });
        var request = new DefaultHttpContext().Request;
        request.Headers["X-Gateway-Sample"] = "true";

        var prompted = forged.Count(id => Decide(policy, id, request, Stable()));
        var plain = forged.Count(id => Decide(policy, id, request, null));

        // Every one of them was sampled before. Now: the rate, within four standard deviations of a binomial.
        var tolerance = 4 * Math.Sqrt(Requests * Rate * (1 - Rate));
        Assert.InRange(prompted, 0, (Requests * Rate) + tolerance);
        Assert.InRange(plain, 0, (Requests * Rate) + tolerance);
    }

    [Fact]
    public void Repeating_one_request_id_does_not_repeat_its_decision()
    {
        const int Requests = 4000;
        var policy = Policy(new SamplingOptions { StableRate = 0.5 });
        var request = new DefaultHttpContext().Request;

        var sampled = Enumerable.Range(0, Requests).Count(_ => Decide(policy, "req_always_the_same", request, Stable()));

        // A decision tied to the id would be all or nothing; a draw per request is about half.
        Assert.InRange(sampled, 1700, 2300);
    }

    [Fact]
    public async Task Through_the_gateway_forged_request_ids_and_an_unpermitted_force_header_do_not_get_requests_sampled()
    {
        const int Requests = 60;
        const double Rate = 0.05;
        var settings = env.GatewaySettings();
        settings["Redis:KeyPrefix"] = env.KeyPrefix + ":steer";
        settings["Gateway:Sampling:Models:gpt-4o-mini"] = Rate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(settings);
        var hostile = await PromptSetup.KeyAsync(gateway);
        var debug = await PromptSetup.KeyAsync(gateway, GatewayKeyPermissions.Debug);

        foreach (var id in SamplingForgedIds.UnderRate(Rate, Requests))
        {
            await SendAsync(gateway, hostile, id, force: true);
        }

        // The writer is first-in first-out: once this forced sample is listed, every earlier one is stored.
        var marker = "req_drain_" + Guid.NewGuid().ToString("N");
        await SendAsync(gateway, debug, marker, force: true);
        var samples = await Eventually.ResultAsync(
            () => SampleWaiter.ListAsync(gateway, "model=gpt-4o-mini&limit=1000", 0),
            listed => listed.Any(s => s.GetProperty("reason").GetString() == SampleReasons.Forced),
            TimeSpan.FromSeconds(10));

        var forced = Assert.Single(samples, s => s.GetProperty("reason").GetString() == SampleReasons.Forced);
        Assert.Equal(marker, (await SampleWaiter.GetAsync(gateway, forced.GetProperty("id").GetString()!)).GetProperty("request_id").GetString());

        // All 60 were sampled before (their ids were chosen for it); at 5% a handful are, by the gateway's draw.
        var byRate = samples.Where(s => s.GetProperty("reason").GetString() == SampleReasons.Rate).ToArray();
        Assert.InRange(byRate.Length, 0, 15);
        Assert.Equal(samples.Length, byRate.Length + 1);
    }

    private SamplingPolicy Policy(SamplingOptions options) =>
        new(new FixedOptionsMonitor<SamplingOptions>(options), new SampleFloorTracker(TimeProvider.System), SampleDraw.Random, env.Gateway.GetRequiredService<GatewayMetrics>());

    /// <summary>The decision for a request that carries <paramref name="requestId"/>, as the client sent it.</summary>
    private static bool Decide(SamplingPolicy policy, string requestId, HttpRequest request, PromptSelection? prompt)
    {
        request.Headers["X-Request-Id"] = requestId;
        return policy.Decide(request, Key, Model, prompt).Sampled;
    }

    private static PromptSelection Stable()
    {
        var bundle = new PromptBundle { Id = "id", Name = "bot", Version = 1, Author = "a", Model = "gpt-4o-mini", Messages = [] };
        return new PromptSelection(new PreparedBundle(bundle, Model, [], []), Variants.Stable, "production");
    }

    private static async Task SendAsync(GatewayHost gateway, string key, string requestId, bool force)
    {
        using var client = gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Request-Id", requestId);
        if (force)
        {
            request.Headers.Add("X-Gateway-Sample", "true");
        }

        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(requestId, response.Headers.GetValues("X-Request-Id").Single());
    }
}
