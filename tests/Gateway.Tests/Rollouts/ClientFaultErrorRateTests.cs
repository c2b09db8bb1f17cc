using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmGateway.Rollouts;
using LlmGateway.Tests.Behaviour;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// What a rollout's <c>error</c> metric counts, on a real gateway with the mock as provider and the in-process evaluator:
/// a failure the client caused (its own input refused by the provider, or its hang-up) is no error of the arm it landed
/// on, so a client that finds a user id on the canary cannot abort a good release with it; a refusal of what the
/// version's bundle wrote is.
/// </summary>
public sealed class ClientFaultErrorRateTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Plan = """
        {"steps":[{"weight":50,"min_duration":"1m","min_samples":30},{"weight":60,"min_duration":"1m","min_samples":30}],
         "metrics":[{"metric":"error","threshold":0.1}]}
        """;

    /// <summary>What the provider answers a request whose own messages are too long: the client's fault, whatever arm it is on.</summary>
    private static readonly (string Name, string Value)[] ContextTooLong =
        [("x-mock-status", "400"), ("x-mock-error-code", "context_length_exceeded"), ("x-mock-error-param", "messages")];

    [Fact]
    public async Task A_client_flooding_the_canary_with_requests_refused_for_its_own_input_does_not_abort_a_good_release()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));

        var served = await GoodTrafficAsync(client, name, 160);
        // A user id that lands on the canary (the split is sticky), then requests the provider refuses for what they hold.
        var canaryUser = served.First(s => s.Variant == "canary").User;
        for (var i = 0; i < 60; i++)
        {
            using var refused = await SendAsync(client, name, canaryUser, ContextTooLong);
            Assert.Equal((HttpStatusCode.BadRequest, "canary"), (refused.StatusCode, Variant(refused)));
        }

        await ScoredAsync(gateway, name, clock.GetUtcNow(), 220);
        clock.Advance(TimeSpan.FromMinutes(1));

        var readings = await ReadAsync(gateway, name, clock.GetUtcNow(), "error", "client_error");
        Assert.Equal("advance", await RolloutControllerTests.LookAsync(gateway, name));
        var canaryServed = served.Count(s => s.Variant == "canary");
        Assert.Equal((canaryServed, 0d), (readings["error"].Canary.Count, readings["error"].Canary.Sum));
        Assert.Equal((canaryServed + 60, 60d), (readings["client_error"].Canary.Count, readings["client_error"].Canary.Sum));
    }

    [Fact]
    public async Task A_client_that_hangs_up_mid_stream_on_the_canary_is_a_client_error_not_the_canarys()
    {
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}");
        await using var _ = gateway;
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));
        var served = await GoodTrafficAsync(client, name, 40);
        var canaryUser = served.First(s => s.Variant == "canary").User;

        // The stream is held after its first chunk; the client reads that far, then leaves.
        var hold = "hangup-" + Guid.NewGuid().ToString("N")[..8];
        using (var request = Request(name, canaryUser, stream: true, ("x-mock-hold", hold)))
        using (var streamed = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            Assert.Equal((HttpStatusCode.OK, "canary"), (streamed.StatusCode, Variant(streamed)));
            using var reader = new StreamReader(await streamed.Content.ReadAsStreamAsync(Ct));
            // The role chunk, then the first content chunk.
            var events = 0;
            while (events < 2 && await reader.ReadLineAsync(Ct) is { } line)
            {
                events += line.StartsWith("data: ", StringComparison.Ordinal) ? 1 : 0;
            }

            Assert.Equal(2, events);
        }

        await ScoredAsync(gateway, name, clock.GetUtcNow(), served.Count + 1);
        clock.Advance(TimeSpan.FromMinutes(1));

        var readings = await ReadAsync(gateway, name, clock.GetUtcNow(), "error", "client_error");
        var canaryServed = served.Count(s => s.Variant == "canary");
        Assert.Equal((canaryServed, 0d), (readings["error"].Canary.Count, readings["error"].Canary.Sum));
        Assert.Equal((canaryServed + 1, 1d), (readings["client_error"].Canary.Count, readings["client_error"].Canary.Sum));
    }

    [Fact]
    public async Task A_canary_whose_rendered_request_the_provider_refuses_is_aborted_for_errors_and_a_flood_of_bad_requests_on_stable_hides_nothing()
    {
        // The candidate's bundle asks for a response format the provider does not know: every request it renders is refused.
        var (gateway, clock, name) = await StartAsync("v2 for {{ company }}", ""","params":{"response_format":{"type":"yaml"}}""");
        await using var _ = gateway;
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));
        clock.AdvanceToNextMinute(TimeSpan.FromSeconds(1));

        var served = await GoodTrafficAsync(client, name, 160, expectOk: false);
        Assert.All(served, s => Assert.Equal(s.Variant == "canary" ? HttpStatusCode.BadRequest : HttpStatusCode.OK, s.Status));
        // Requests refused for the client's own input, on the stable arm: they must not raise stable's error rate.
        var stableUser = served.First(s => s.Variant == "stable").User;
        for (var i = 0; i < 60; i++)
        {
            using var refused = await SendAsync(client, name, stableUser, ContextTooLong);
            Assert.Equal((HttpStatusCode.BadRequest, "stable"), (refused.StatusCode, Variant(refused)));
        }

        await ScoredAsync(gateway, name, clock.GetUtcNow(), 220);
        clock.Advance(TimeSpan.FromMinutes(1));

        var readings = await ReadAsync(gateway, name, clock.GetUtcNow(), "error", "client_error");
        var canaryServed = served.Count(s => s.Variant == "canary");
        Assert.Equal((canaryServed, (double)canaryServed), (readings["error"].Canary.Count, readings["error"].Canary.Sum));
        Assert.Equal(0, readings["error"].Stable.Sum);
        Assert.Equal((0d, 60d), (readings["client_error"].Canary.Sum, readings["client_error"].Stable.Sum));
        Assert.Equal("abort", await RolloutControllerTests.LookAsync(gateway, name));
        using var viewer = new AdminClient(gateway, TestEnvironment.AdminToken);
        var rollout = (await viewer.GetAsync($"/admin/v1/prompts/{name}/rollouts/staging")).Expect(HttpStatusCode.OK).Json;
        Assert.Contains("error", rollout.GetProperty("status_reason").GetString(), StringComparison.Ordinal);
    }

    private async Task<(GatewayHost Gateway, ShiftedTimeProvider Clock, string Name)> StartAsync(string candidateSystem, string candidateExtra = "")
    {
        var (gateway, clock) = await OnlineEvaluationGateway.StartAsync(env, evaluator: true, s => s["Gateway:Rollouts:Enabled"] = "false");
        var name = "rollout-fault-" + Guid.NewGuid().ToString("N")[..8];
        await PromptSetup.ReleaseAsync(gateway, name, [Bundle(name, "v1 for {{ company }}"), Bundle(name, candidateSystem, candidateExtra)]);
        using var operatorClient = new AdminClient(gateway, TestEnvironment.OperatorToken);
        (await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/staging", $$"""{"version":2,"plan":{{Plan}}}""")).Expect(HttpStatusCode.Created);
        // The canary's weight reaches this instance's routing snapshot shortly after the rollout starts.
        var snapshots = gateway.GetRequiredService<LlmGateway.Releases.ReleaseSnapshotProvider>();
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(snapshots.Current.TryGet(name, PromptSetup.Environment, out var release) && release.Record.CanaryWeight == 5000),
            TimeSpan.FromSeconds(10)));
        return (gateway, clock, name);
    }

    /// <summary>Ordinary requests, each from a new user: who got which arm, and with what status.</summary>
    private static async Task<List<(string User, string Variant, HttpStatusCode Status)>> GoodTrafficAsync(HttpClient client, string name, int requests, bool expectOk = true)
    {
        var served = new List<(string, string, HttpStatusCode)>(requests);
        for (var i = 0; i < requests; i++)
        {
            var user = Guid.NewGuid().ToString("N");
            using var response = await SendAsync(client, name, user);
            Assert.True(!expectOk || response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            served.Add((user, Variant(response), response.StatusCode));
        }

        Assert.Contains(served, s => s.Item2 == "canary");
        Assert.Contains(served, s => s.Item2 == "stable");
        return served;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string name, string user, params (string Name, string Value)[] headers)
    {
        using var request = Request(name, user, stream: false, headers);
        var response = await client.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    private static HttpRequestMessage Request(string name, string user, bool stream, params (string Name, string Value)[] headers)
    {
        var body = $$"""
            {"model":"prompt:{{name}}","user":"{{user}}","stream":{{(stream ? "true" : "false")}},
             "prompt_variables":{"company":"Acme"},"messages":[{"role":"user","content":"Question {{Guid.NewGuid():N}}: where is my parcel?"}]}
            """;
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach (var (header, value) in headers)
        {
            request.Headers.Add(header, value);
        }

        return request;
    }

    private static string Variant(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Prompt-Variant", out var values) ? values.Single() : "?";

    /// <summary>Waits until the evaluator has scored <paramref name="samples"/> samples of the minute (every sample has a latency).</summary>
    private static async Task ScoredAsync(GatewayHost gateway, string name, DateTimeOffset minute, int samples)
    {
        var query = gateway.GetRequiredService<LlmGateway.Behaviour.BehaviourQuery>();
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                var read = await query.ReadAsync(new LlmGateway.Behaviour.BehaviourRequest(name, PromptSetup.Environment,
                    new HashSet<string>(StringComparer.Ordinal) { "latency_ms" }, false, false, minute.AddSeconds(-2), minute.AddSeconds(58), 60));
                return read.Series.Count == 1 && read.Series[0].Total.Count == samples;
            },
            TimeSpan.FromSeconds(60)));
    }

    /// <summary>Both arms' readings as the controller reads them for the step (started a minute or two ago).</summary>
    private static Task<Dictionary<string, (LlmGateway.Eval.Statistics.Rollouts.ArmMoments Stable, LlmGateway.Eval.Statistics.Rollouts.ArmMoments Canary)>> ReadAsync(
        GatewayHost gateway, string name, DateTimeOffset now, params string[] metrics) =>
        gateway.GetRequiredService<RolloutReadings>().ReadAsync(name, PromptSetup.Environment, 1, 2, metrics, now.AddMinutes(-3), now);

    private static string Bundle(string name, string system, string extra = "") => $$$"""
        {"name":"{{{name}}}","model":"gpt-4o-mini",
         "messages":[{"role":"system","content":"{{{system}}}"}],
         "variables":[{"name":"company","required":true}]{{{extra}}}}
        """;
}
