using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Behaviour;
using LlmGateway.Tests.Behaviour;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;

namespace LlmGateway.Tests.Pipeline;

/// <summary>
/// A request the routing stage refuses because of the prompt version chosen to serve it is a failed exchange of that
/// version and arm: counted in the usage counters, sampled under the arm's draw and scored as an error. A refusal the
/// client caused (one the stable version would make too) is not. On a real gateway with every request sampled.
/// </summary>
public sealed class VersionRefusalTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Company = """{"name":"company","required":true}""";

    [Fact]
    public async Task A_canary_refusal_of_a_request_the_stable_version_serves_is_counted_sampled_and_scored_under_the_canary()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true);
        await using var _ = gateway;
        var name = Bundles.UniqueName("refused-canary");
        await PromptSetup.ReleaseAsync(gateway, name,
            [Bundle(name, "v1 for {{ company }}", Company), Bundle(name, "v2 for {{ company }} ({{ tier }})", Company, """{"name":"tier","required":true}""")],
            canaryVersion: 2, canaryWeight: 10_000);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var minute = clock.GetUtcNow();
        using var refusals = new LlmGateway.Tests.Security.SamplingCounterTotal(gateway.GetRequiredService<LlmGateway.Telemetry.GatewayMetrics>().VersionRefusals);

        // Both versions need the company: the client's mistake, not the canary's.
        await AskAsync(client, name, "{}", HttpStatusCode.BadRequest, "missing_variable", "2", "canary");
        // Only v2 needs the tier: the stable version would have served this one.
        await AskAsync(client, name, """{"company":"Acme"}""", HttpStatusCode.BadRequest, "missing_variable", "2", "canary");
        await AskAsync(client, name, """{"company":"Acme","tier":"gold"}""", HttpStatusCode.OK, null, "2", "canary");
        // The dashboards' requests and error ratio by arm count it (gateway.prompt.refusals): only the canary's own refusal.
        Assert.Equal(1, refusals.Total);

        var usage = await UsageAsync(gateway, name, 2);
        var row = Assert.Single(usage.EnumerateArray());
        Assert.Equal(("2", "canary", 2L, 1L), (row.GetProperty("group").GetProperty("version").GetString(), row.GetProperty("group").GetProperty("variant").GetString(),
            row.GetProperty("requests").GetInt64(), row.GetProperty("errors").GetInt64()));
        // Only the answered request has a latency: the refusal's near-zero time would read as a fast canary.
        Assert.Equal(1L, row.GetProperty("latency_ms").EnumerateObject().Sum(bucket => bucket.Value.GetInt64()));

        var samples = await SampleWaiter.ListAsync(gateway, $"prompt={name}", 2);
        Assert.Equal(2, samples.Length);
        var refused = await SampleWaiter.GetAsync(gateway, samples.Single(s => s.GetProperty("status").GetInt32() == 400).GetProperty("id").GetString()!);
        Assert.Equal((2, "canary", "rate"), (refused.GetProperty("version").GetInt32(), refused.GetProperty("variant").GetString(), refused.GetProperty("reason").GetString()));
        Assert.True(refused.GetProperty("refused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("request").ValueKind);
        Assert.Contains("'tier'", refused.GetProperty("response").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(refused.GetProperty("response").GetProperty("complete").GetBoolean());
        Assert.Equal("Acme", refused.GetProperty("input").GetProperty("variables").GetProperty("company").GetString());

        // Scored: an error of v2's canary arm, with no latency reading (it got no answer).
        var series = await ScoredAsync(gateway, name, minute, "error", 2);
        var error = series.Single(s => s.Metric == "error");
        Assert.Equal((2, "canary", 0.5), (error.Version, error.Variant, error.Total.Mean));
        Assert.Equal(1, series.Single(s => s.Metric == "latency_ms").Total.Count);
    }

    [Fact]
    public async Task A_template_error_counts_against_the_stable_version_too_and_a_stable_4xx_is_the_clients()
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true);
        await using var _ = gateway;
        var name = Bundles.UniqueName("refused-stable");
        // Renders for an absent text; a text of one character doubled 24 times is past the render's output limit.
        const string template = "{{ company }}{% capture s %}{{ text }}{% endcapture %}{% for i in (1..24) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}";
        await PromptSetup.ReleaseAsync(gateway, name, [Bundle(name, template, Company, """{"name":"text","required":false}""")]);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var minute = clock.GetUtcNow();

        await AskAsync(client, name, "{}", HttpStatusCode.BadRequest, "missing_variable", "1", "stable");
        await AskAsync(client, name, """{"company":"Acme","text":"x"}""", HttpStatusCode.InternalServerError, "template_error", "1", "stable");
        await AskAsync(client, name, """{"company":"Acme"}""", HttpStatusCode.OK, null, "1", "stable");

        var row = Assert.Single((await UsageAsync(gateway, name, 2)).EnumerateArray());
        Assert.Equal(("1", "stable", 2L, 1L), (row.GetProperty("group").GetProperty("version").GetString(), row.GetProperty("group").GetProperty("variant").GetString(),
            row.GetProperty("requests").GetInt64(), row.GetProperty("errors").GetInt64()));
        var samples = await SampleWaiter.ListAsync(gateway, $"prompt={name}", 2);
        Assert.Equal([200, 500], samples.Select(s => s.GetProperty("status").GetInt32()).Order().ToArray());
        var error = (await ScoredAsync(gateway, name, minute, "error", 2)).Single(s => s.Metric == "error");
        Assert.Equal((1, "stable", 0.5), (error.Version, error.Variant, error.Total.Mean));
    }

    /// <summary>Asks, and checks the answer's status, error code and the version and arm that answered or refused it.</summary>
    private static async Task AskAsync(HttpClient client, string name, string variables, HttpStatusCode status, string? code, string version, string variant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"prompt:{{name}}","prompt_variables":{{variables}},"messages":[{"role":"user","content":"where is my parcel?"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, body);
        Assert.Equal((version, variant), (response.Headers.GetValues("X-Prompt-Version").Single(), response.Headers.GetValues("X-Prompt-Variant").Single()));
        if (code is not null)
        {
            using var error = JsonDocument.Parse(body);
            Assert.Equal(code, error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }

    /// <summary>The prompt's usage rows by version and arm once they count <paramref name="requests"/> requests.</summary>
    private static async Task<JsonElement> UsageAsync(GatewayHost gateway, string name, int requests)
    {
        using var viewer = new AdminClient(gateway, TestEnvironment.ViewerToken);
        var rows = await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?prompt={name}&groupBy=version,variant"),
            r => r.Status == HttpStatusCode.OK && r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) >= requests,
            TimeSpan.FromSeconds(10));
        return rows.Expect(HttpStatusCode.OK).Json;
    }

    /// <summary>The minute's series by version and arm once <paramref name="metric"/> has <paramref name="count"/> readings.</summary>
    private static async Task<IReadOnlyList<BehaviourSeries>> ScoredAsync(GatewayHost gateway, string name, DateTimeOffset minute, string metric, int count)
    {
        var query = gateway.GetRequiredService<BehaviourQuery>();
        var request = new BehaviourRequest(name, PromptSetup.Environment, new HashSet<string>(StringComparer.Ordinal) { metric, "latency_ms" }, true, true,
            minute.AddSeconds(-2), minute.AddSeconds(58), 60);
        var read = await Eventually.ResultAsync(
            () => query.ReadAsync(request),
            r => r.Series.Where(s => s.Metric == metric).Sum(s => s.Total.Count) >= count,
            TimeSpan.FromSeconds(30));
        Assert.Equal(count, read.Series.Where(s => s.Metric == metric).Sum(s => s.Total.Count));
        return read.Series;
    }

    private static string Bundle(string name, string system, params string[] variables) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["name"] = name,
        ["model"] = "gpt-4o-mini",
        ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "system", ["content"] = system } },
        ["variables"] = variables.Select(v => JsonDocument.Parse(v).RootElement).ToArray(),
    });
}
