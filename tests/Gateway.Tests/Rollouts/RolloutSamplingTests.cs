using System.Net;
using System.Text;
using System.Text.Json;
using LlmGateway.Sampling;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Sampling;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// A rollout samples its arms at its plan's rates while it runs (default: every request), so the readings it is judged
/// on come whatever the prompt's own rates; its end gives the prompt those rates back.
/// </summary>
public sealed class RolloutSamplingTests(TestEnvironment env)
{
    private const int Requests = 20;

    // Half the traffic to the canary, and an hour before anything is judged: the controller leaves it as it is.
    private const string Plan = """
        {"steps":[{"weight":50,"min_duration":"1h","min_samples":5}],"metrics":[{"metric":"error","threshold":0.02}]}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rollout_samples_every_request_of_both_arms_and_its_abort_gives_the_prompt_back_its_own_rates()
    {
        var name = Bundles.UniqueName("rollout-sampling");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        // The prompt's own policy samples nothing: every sample below is the rollout's.
        (await operatorClient.PutAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling", """{"sampling":{"stable":0,"canary":0,"floor_per_hour":0}}"""))
            .Expect(HttpStatusCode.OK);

        var started = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created).Json;

        Assert.Equal((1.0, 1.0), Rates(started.GetProperty("sampling")));
        using (var stored = JsonDocument.Parse(await StoredReleaseAsync(name)))
        {
            Assert.Equal((1.0, 1.0), Rates(stored.RootElement.GetProperty("rollout_sampling")));
            // The release's own policy is kept beside it, for after the rollout.
            Assert.Equal(0, stored.RootElement.GetProperty("sampling").GetProperty("stable").GetDouble());
        }

        var view = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((1.0, 1.0), Rates(view.GetProperty("rollout_sampling")));
        await WaitForInstanceAsync(name, r => r.TryGetProperty("rollout_sampling", out _));

        var key = await PromptSetup.KeyAsync(env.Gateway);
        var canaryRequests = 0;
        for (var i = 0; i < Requests; i++)
        {
            using var response = await SendAsync(key, name, ("X-Session-Id", $"user-{i}-{Guid.NewGuid():N}"));
            canaryRequests += response.Headers.GetValues("X-Prompt-Variant").Single() == "canary" ? 1 : 0;
        }

        await DrainAsync(name);
        var samples = Unforced(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}&limit=100", Requests));
        Assert.Equal(Requests, samples.Length);
        Assert.Equal(canaryRequests, samples.Count(s => s.GetProperty("variant").GetString() == "canary"));
        Assert.Equal(Requests - canaryRequests, samples.Count(s => s.GetProperty("variant").GetString() == "stable"));
        Assert.All(samples, s => Assert.Equal(SampleReasons.Rate, s.GetProperty("reason").GetString()));

        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}/abort", "{}")).Expect(HttpStatusCode.OK);

        Assert.DoesNotContain("rollout_sampling", await StoredReleaseAsync(name), StringComparison.Ordinal);
        view = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        Assert.False(view.TryGetProperty("rollout_sampling", out _));
        await WaitForInstanceAsync(name, r => r.GetProperty("canary").ValueKind == JsonValueKind.Null && !r.TryGetProperty("rollout_sampling", out _));

        // Back to the prompt's own rates: nothing more is sampled.
        for (var i = 0; i < Requests; i++)
        {
            using var _ = await SendAsync(key, name, ("X-Session-Id", $"after-{i}-{Guid.NewGuid():N}"));
        }

        await DrainAsync(name);
        Assert.Equal(Requests, Unforced(await SampleWaiter.ListAsync(env.Gateway, $"prompt={name}&limit=100", Requests)).Length);
    }

    [Fact]
    public async Task A_promotion_ends_the_rollouts_sampling()
    {
        var name = Bundles.UniqueName("rollout-sampling-promote");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var plan = """{"steps":[{"weight":10,"min_duration":"1h"},{"weight":50,"min_duration":"1h"}],"metrics":[{"metric":"error","threshold":0.02}],"sampling":{"stable":0.25}}""";
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}", $$"""{"version":2,"plan":{{plan}}}""")).Expect(HttpStatusCode.Created);

        // A step keeps the rates its start set.
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}/skip-step", "{}")).Expect(HttpStatusCode.OK);
        using (var stepped = JsonDocument.Parse(await StoredReleaseAsync(name)))
        {
            Assert.Equal(5000, stepped.RootElement.GetProperty("canary_weight").GetInt32());
            Assert.Equal((0.25, 1.0), Rates(stepped.RootElement.GetProperty("rollout_sampling")));
        }

        var promoted = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}/skip-step", "{}")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal("promoted", promoted.GetProperty("status").GetString());
        Assert.DoesNotContain("rollout_sampling", await StoredReleaseAsync(name), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundles_rollout_block_carries_its_sampling_and_a_rate_out_of_range_is_refused_at_push()
    {
        var name = Bundles.UniqueName("rollout-sampling-bundle");
        const string Rollout = ""","rollout":{"steps":[{"weight":10,"min_duration":"1h"}],"metrics":[{"metric":"error","threshold":0.02}],"sampling":SAMPLING}""";
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2, Rollout.Replace("SAMPLING", "{\"stable\":0.5}", StringComparison.Ordinal))]);

        var refused = (await author.PushAsync(PromptSetup.Bundle(name, 3, Rollout.Replace("SAMPLING", "{\"canary\":0}", StringComparison.Ordinal)))).Expect(HttpStatusCode.BadRequest);
        Assert.Contains("rollout.sampling.canary", refused.Text, StringComparison.Ordinal);

        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var started = (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}", """{"version":2}""")).Expect(HttpStatusCode.Created).Json;
        Assert.Equal((0.5, 1.0), Rates(started.GetProperty("sampling")));
        using var stored = JsonDocument.Parse(await StoredReleaseAsync(name));
        Assert.Equal((0.5, 1.0), Rates(stored.RootElement.GetProperty("rollout_sampling")));
    }

    private static (double Stable, double Canary) Rates(JsonElement sampling) =>
        (sampling.GetProperty("stable").GetDouble(), sampling.GetProperty("canary").GetDouble());

    /// <summary>The release exactly as stored: what every instance's snapshot reads.</summary>
    private async Task<string> StoredReleaseAsync(string name)
    {
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        return (string)(await store.Database.StringGetAsync(store.Keys.Release(name, PromptSetup.Environment)))!;
    }

    private async Task WaitForInstanceAsync(string name, Func<JsonElement, bool> served)
    {
        using var admin = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        Assert.True(await Eventually.TrueAsync(
            async () => (await admin.GetAsync("/admin/v1/instance/releases")).Json.GetProperty("releases").EnumerateArray()
                .Any(r => r.GetProperty("prompt").GetString() == name && served(r)),
            TimeSpan.FromSeconds(2)));
    }

    /// <summary>
    /// Waits until the sample writer has stored everything offered before now: it is first-in first-out, so once a
    /// forced sample sent after the test's requests is listed, theirs are stored too. A signal, not a sleep.
    /// </summary>
    private async Task DrainAsync(string prompt)
    {
        var debugKey = await PromptSetup.KeyAsync(env.Gateway, "debug");
        var before = (await SampleWaiter.ListAsync(env.Gateway, $"prompt={prompt}&limit=100", 0)).Count(s => s.GetProperty("reason").GetString() == SampleReasons.Forced);
        using var _ = await SendAsync(debugKey, prompt, ("X-Gateway-Sample", "true"));
        await Eventually.ResultAsync(
            () => SampleWaiter.ListAsync(env.Gateway, $"prompt={prompt}&limit=100", 0),
            samples => samples.Count(s => s.GetProperty("reason").GetString() == SampleReasons.Forced) > before,
            TimeSpan.FromSeconds(5));
    }

    private static JsonElement[] Unforced(JsonElement[] samples) =>
        [.. samples.Where(s => s.GetProperty("reason").GetString() != SampleReasons.Forced)];

    private async Task<HttpResponseMessage> SendAsync(string key, string prompt, params (string Name, string Value)[] headers)
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$$"""{"model":"prompt:{{{prompt}}}","messages":[{"role":"user","content":"hi"}],"prompt_variables":{"company":"Acme"}}""", Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
