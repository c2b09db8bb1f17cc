using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using LlmGateway.Releases;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Telemetry;

/// <summary>
/// <c>gateway_release_activations_total</c>: one increment per committed release change, tagged so Grafana can
/// annotate it, read from the real gateway's Prometheus scrape after changes through the admin API.
/// </summary>
public sealed partial class ActivationMetricTests(TestEnvironment env)
{
    private const string Metric = "gateway_release_activations_total";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_committed_release_change_is_counted_once_with_its_action_and_version_and_refusals_are_not()
    {
        // A gateway of its own: the shared one carries every test's prompts, past the exporter's series limit.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        using var author = new AdminClient(gateway, TestEnvironment.AuthorToken);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        var name = Bundles.UniqueName("activations");
        (await author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief."))).Expect(HttpStatusCode.Created);

        (await operatorClient.ReleaseAsync(name, "staging", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        (await operatorClient.ReleaseAsync(name, "staging", "canary", """{"version":2,"weight":1000}""")).Expect(HttpStatusCode.OK);
        (await operatorClient.ReleaseAsync(name, "staging", "promote", "{}")).Expect(HttpStatusCode.OK);

        // Refused changes commit nothing and count nothing.
        Assert.Equal("no_canary", (await operatorClient.ReleaseAsync(name, "staging", "promote", "{}")).Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("no_canary", (await operatorClient.ReleaseAsync(name, "staging", "abort", "{}")).Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("revision_conflict", (await operatorClient.ReleaseAsync(name, "staging", "set", """{"version":1,"revision":1}""")).Expect(HttpStatusCode.Conflict).ErrorCode);

        var counts = await ScrapeUntilAsync(gateway, name, c => c.ContainsKey(("promote", "2")));

        Assert.Equal(
            new Dictionary<(string Action, string Version), double>
            {
                [("release-set", "1")] = 1,
                [("canary-start", "2")] = 1,
                [("promote", "2")] = 1,
            },
            counts);
    }

    [Fact]
    public async Task A_recorded_external_change_is_counted_once_as_external_change()
    {
        // A gateway of its own: the shared one carries every test's prompts, past the exporter's series limit.
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        using var author = new AdminClient(gateway, TestEnvironment.AuthorToken);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        var name = Bundles.UniqueName("external");
        (await author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief."))).Expect(HttpStatusCode.Created);
        (await operatorClient.ReleaseAsync(name, "staging", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);

        // A raw write that bypasses the API. The gateway's own revalidation may notice it first; either way
        // the store records it exactly once, and only the recording call counts it.
        const string raw = """{"stable":2,"revision":50,"salt":"x"}""";
        var store = gateway.GetRequiredService<GatewayStore>();
        await store.Database.StringSetAsync(store.Keys.Release(name, "staging"), raw);
        await gateway.GetRequiredService<ActivationHistory>().RecordExternalChangeAsync(name, "staging", raw, null, ReleaseJson.Parse(raw));

        var counts = await ScrapeUntilAsync(gateway, name, c => c.ContainsKey(("external-change", "2")));

        Assert.Equal(1, counts[("release-set", "1")]);
        Assert.Equal(1, counts[("external-change", "2")]);
        Assert.Equal(2, counts.Count);
    }

    /// <summary>The counter's values for <paramref name="prompt"/> in staging, by action and version, once <paramref name="done"/> holds.</summary>
    private static async Task<Dictionary<(string Action, string Version), double>> ScrapeUntilAsync(
        GatewayHost gateway,
        string prompt, Func<Dictionary<(string Action, string Version), double>, bool> done)
    {
        using var scraper = gateway.CreateClient(null);
        return await Eventually.ResultAsync(
            async () => Parse(await scraper.GetStringAsync("/metrics", Ct), prompt),
            done,
            TimeSpan.FromSeconds(5));
    }

    private static Dictionary<(string Action, string Version), double> Parse(string text, string prompt)
    {
        var counts = new Dictionary<(string Action, string Version), double>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(Metric + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            var labels = Label().Matches(line[(Metric.Length + 1)..close]).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            if (labels.GetValueOrDefault("prompt") != prompt)
            {
                continue;
            }

            Assert.Equal("staging", labels["environment"]);
            var value = double.Parse(line[(close + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            Assert.True(counts.TryAdd((labels["action"], labels["version"]), value), $"Duplicate series: {line}");
        }

        return counts;
    }

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
