using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// Two gateway instances under continuous prompt traffic while the release flips back and forth
/// (through the API, and once by a raw SET). No request may fail; the propagation time, from the
/// flip to the last request that still got the old version, is measured and reported.
/// </summary>
public sealed class RollbackUnderLoadTests(TestEnvironment env)
{
    private const int ApiFlips = 6;
    private const int RequestsPerPhase = 10;

    [Fact]
    public async Task Flips_under_load_fail_no_request_and_propagation_is_reported()
    {
        await using var second = await GatewayHost.StartAsync(env.GatewaySettings());
        var instances = new[] { env.Gateway, second };
        var name = Bundles.UniqueName("flip");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var results = new ConcurrentBag<(int Instance, long SentAt, int Status, string? Version)>();
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var instance = w % instances.Length;
            using var client = instances[instance].CreateClient(key);
            while (!stop.IsCancellationRequested)
            {
                var sentAt = Stopwatch.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                {
                    Content = new StringContent($$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
                };
                using var response = await client.SendAsync(request, CancellationToken.None);
                results.Add((instance, sentAt, (int)response.StatusCode, response.Headers.TryGetValues("X-Prompt-Version", out var v) ? v.Single() : null));
            }
        })).ToList();

        // Each phase waits for traffic rather than a fixed time: until every instance has served enough requests
        // since the phase began (and, after a flip, the new version), so a slow machine only makes it longer.
        var flips = new List<(long At, string From, string To, bool Raw)>();
        await ServedSinceAsync(Stopwatch.GetTimestamp(), version: null);
        for (var i = 0; i < ApiFlips; i++)
        {
            var toTwo = i % 2 == 0;
            var at = Stopwatch.GetTimestamp();
            var change = toTwo
                ? await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2,"reason":"forward"}""")
                : await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", """{"reason":"back"}""");
            change.Expect(HttpStatusCode.OK);
            flips.Add((at, toTwo ? "1" : "2", toTwo ? "2" : "1", false));
            await ServedSinceAsync(at, version: toTwo ? "2" : "1");
        }

        // The release is at v1 now; a raw SET moves it to v2, unpublished.
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var rawAt = Stopwatch.GetTimestamp();
        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), """{"stable":2,"previous_stable":1,"revision":1000}""");
        flips.Add((rawAt, "1", "2", true));

        // Until both instances serve v2 (the raw bound is 1 s; allow 2 s before the assertions judge).
        await ServedSinceAsync(rawAt, version: "2");

        await stop.CancelAsync();
        await Task.WhenAll(workers);

        // Every instance has served RequestsPerPhase requests sent after `since` (of `version`, when given); bounded,
        // like the raw-write propagation the test measures (1 s), with room for a starved CI machine.
        async Task ServedSinceAsync(long since, string? version) =>
            Assert.True(await Eventually.TrueAsync(
                () => Task.FromResult(Enumerable.Range(0, instances.Length).All(i =>
                    results.Count(r => r.Instance == i && r.SentAt > since && (version is null || r.Version == version)) >= RequestsPerPhase)),
                TimeSpan.FromSeconds(5)), $"not every instance served {RequestsPerPhase} requests{(version is null ? "" : $" of v{version}")} within 5 s");

        var all = results.ToList();
        Assert.All(all, r => Assert.Equal(200, r.Status));
        Assert.True(all.Count > 100, $"only {all.Count} requests were sent");

        var api = new List<double>();
        var raw = new List<double>();
        for (var f = 0; f < flips.Count; f++)
        {
            var (at, from, to, isRaw) = flips[f];
            var until = f + 1 < flips.Count ? flips[f + 1].At : long.MaxValue;
            for (var instance = 0; instance < instances.Length; instance++)
            {
                var window = all.Where(r => r.Instance == instance && r.SentAt >= at && r.SentAt < until).ToList();
                if (window.Count == 0)
                {
                    // A starved CI machine can leave an instance without a request in a window: nothing to judge there.
                    continue;
                }

                Assert.Contains(window, r => r.Version == to);
                var lastOld = window.Where(r => r.Version == from).Select(r => r.SentAt).DefaultIfEmpty(at).Max();
                (isRaw ? raw : api).Add(Stopwatch.GetElapsedTime(at, lastOld).TotalMilliseconds);
            }
        }

        Assert.NotEmpty(api);
        Assert.NotEmpty(raw);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"{all.Count} requests, 0 errors. Propagation over {api.Count} API flip×instance samples: p50 {Percentile(api, 50):F1} ms, p99 {Percentile(api, 99):F1} ms, max {api.Max():F1} ms; raw SET: {string.Join(", ", raw.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))} ms");
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        TestContext.Current.SendDiagnosticMessage(report);
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }
}
