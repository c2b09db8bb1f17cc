using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using LlmGateway.Releases;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Rollouts;

/// <summary>
/// Shadow traffic on the real gateway: the client of a shadowed request gets exactly what it would have got without
/// the shadow step, and only the gateway itself can make a shadow call.
/// </summary>
public sealed partial class ShadowTrafficTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_gets_the_same_bytes_and_headers_with_or_without_a_shadow_step(bool stream)
    {
        var name = Bundles.UniqueName("shadow-bytes");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        using var client = env.Gateway.CreateClient(key);

        var (before, beforeHeaders) = await AskAsync(client, name, stream);
        await ShadowStep.StartAsync(env.Gateway, name);
        var (during, duringHeaders) = await AskAsync(client, name, stream);

        Assert.Equal(Normalize(before), Normalize(during));
        Assert.Equal(beforeHeaders, duringHeaders);
        Assert.Contains("v1 for Acme", during, StringComparison.Ordinal);

        // The copy was answered by the candidate, billed to the shadow principal, not to this key.
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.AdminToken);
        var usage = await Eventually.ResultAsync(
            async () => (await viewer.GetAsync($"/admin/v1/usage?groupBy=key,version,variant&prompt={name}")).Expect(HttpStatusCode.OK).Json,
            rows => rows.EnumerateArray().Any(r => r.GetProperty("group").GetProperty("key").GetString() == "shadow-staging"),
            TimeSpan.FromSeconds(10));
        var shadowRow = usage.EnumerateArray().Single(r => r.GetProperty("group").GetProperty("key").GetString() == "shadow-staging");
        var group = shadowRow.GetProperty("group");
        Assert.Equal(("2", "shadow", 1L), (group.GetProperty("version").GetString(), group.GetProperty("variant").GetString(), shadowRow.GetProperty("requests").GetInt64()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_never_waits_for_its_copy_even_one_the_candidate_never_answers(bool stream)
    {
        // The candidate's provider sits on the copy for 10 minutes; the gateway gives a copy 60 s. The copy is made
        // only after the client's answer has ended, so a gateway that made the client wait for it would answer
        // after 60 s at the earliest. A gateway of its own, stopped within 2 s, so the stuck copy outlives neither
        // this test nor the shared gateway's shutdown.
        var settings = env.GatewaySettings();
        settings["Gateway:Shadow:Timeout"] = "00:01:00";
        settings["shutdownTimeoutSeconds"] = "2";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var name = Bundles.UniqueName("shadow-slow");
        var company = "Acme-" + Guid.NewGuid().ToString("N")[..8];
        var stuck = $$"""
            {"name":"{{name}}","model":"gpt-4o-mini",
             "messages":[{"role":"system","content":"v2 for {{ company }} [[mock:latency-ms=600000]]"}],
             "variables":[{"name":"company","required":true}]}
            """;
        await PromptSetup.ReleaseAsync(gateway, name, [PromptSetup.Bundle(name, 1), stuck]);
        await ShadowStep.StartAsync(gateway, name);
        using var client = gateway.CreateClient(await PromptSetup.KeyAsync(gateway));

        // Bounded well below the copy's 60 s: a client held until the copy gave up fails here.
        using var response = await client.PostAsync(
            new Uri("/v1/chat/completions", UriKind.Relative), Json(Body(name, stream).Replace("\"Acme\"", $"\"{company}\"", StringComparison.Ordinal)), Ct)
            .WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The whole answer: a stream to its end, a JSON body with the stable version's reply.
        Assert.Contains(stream ? "data: [DONE]" : $"v1 for {company}", body, StringComparison.Ordinal);
        // ... and the copy was made (and is still waiting on the candidate's provider).
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(env.Received.Snapshot().Any(r => r.Body.Contains($"v2 for {company}", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_stable_answer_the_client_left_gets_no_copy()
    {
        // Paired against a full answer from the candidate, a stable stream the user stopped would count as stable's
        // error (and its cut latency and cost against the candidate's whole ones): a shadow step would be judged on
        // how often users press stop.
        var name = await ShadowStep.StartOnNewPromptAsync(env.Gateway, "shadow-left");
        var (record, secret) = await env.Gateway.GetRequiredService<LlmGateway.Auth.GatewayKeyStore>().CreateAsync("shadow-left", PromptSetup.Environment, []);
        using var client = env.Gateway.CreateClient(secret);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (left, stayed) = ("Left-" + suffix, "Stayed-" + suffix);
        var hold = "hold-" + Guid.NewGuid().ToString("N");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body(name, stream: true).Replace("\"Acme\"", $"\"{left}\"", StringComparison.Ordinal)) })
        {
            request.Headers.Add("x-mock-hold", hold);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            while (await reader.ReadLineAsync(Ct) is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
            {
            }

            // The user stops it here, after its first chunk.
        }

        // Its usage is recorded just before its sample is offered: the sign the gateway is done with it.
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        await Eventually.ResultAsync(
            () => viewer.GetAsync($"/admin/v1/usage?key={record.Id}"),
            r => r.Json.EnumerateArray().Sum(row => row.GetProperty("requests").GetInt64()) == 1,
            TimeSpan.FromSeconds(10));
        using (var mock = new HttpClient { BaseAddress = env.MockUrl })
        {
            (await mock.PostAsync($"/mock/release/{hold}", null, Ct)).Dispose();
        }

        // A request the client stays for is copied (made after the first was done with).
        using var kept = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(Body(name, stream: false).Replace("\"Acme\"", $"\"{stayed}\"", StringComparison.Ordinal)), Ct);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(env.Received.Snapshot().Any(r => r.Body.Contains($"v2 for {stayed}", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10)));

        Assert.DoesNotContain(env.Received.Snapshot(), r => r.Body.Contains($"v2 for {left}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(429)]
    public async Task A_stable_request_the_provider_refused_gets_no_copy(int status)
    {
        // Refused, it cost its client nothing; copied, a candidate with a larger context (or laxer checks) would answer
        // each one on the shadow budget: a client sending inputs the stable model refuses drains the step's budget,
        // and the pairs (stable error, candidate answer) would judge the candidate on the client's bad input.
        var name = await ShadowStep.StartOnNewPromptAsync(env.Gateway, "shadow-refused");
        using var client = env.Gateway.CreateClient(await PromptSetup.KeyAsync(env.Gateway));
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (refused, answered) = ("Refused-" + suffix, "Answered-" + suffix);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json(Body(name, stream: false).Replace("\"Acme\"", $"\"{refused}\"", StringComparison.Ordinal)) })
        {
            request.Headers.Add("x-mock-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(status == 429 ? HttpStatusCode.TooManyRequests : HttpStatusCode.BadRequest, response.StatusCode);
        }

        // A request answered after it is copied: the first was done with (copies go in order of their offers).
        using var kept = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(Body(name, stream: false).Replace("\"Acme\"", $"\"{answered}\"", StringComparison.Ordinal)), Ct);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.True(await Eventually.TrueAsync(
            () => Task.FromResult(env.Received.Snapshot().Any(r => r.Body.Contains($"v2 for {answered}", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10)));

        Assert.DoesNotContain(env.Received.Snapshot(), r => r.Body.Contains($"v2 for {refused}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Shadow_headers_sent_by_a_client_change_nothing()
    {
        var name = await ShadowStep.StartOnNewPromptAsync(env.Gateway, "shadow-forge");
        using var client = env.Gateway.CreateClient(await PromptSetup.KeyAsync(env.Gateway));
        client.DefaultRequestHeaders.Add("X-Gateway-Shadow-Environment", "staging");
        client.DefaultRequestHeaders.Add("X-Gateway-Shadow-Of", "0000000000000-00000000000000000000000000000000");

        var (body, headers) = await AskAsync(client, name, stream: false);

        Assert.Contains("v1 for Acme", body, StringComparison.Ordinal);
        Assert.Contains("X-Prompt-Variant: stable", headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_copy_reaches_the_provider_with_the_client_headers_the_stable_call_had()
    {
        var name = await ShadowStep.StartOnNewPromptAsync(env.Gateway, "shadow-headers");
        using var client = env.Gateway.CreateClient(await PromptSetup.KeyAsync(env.Gateway));
        var tag = "shadow-" + Guid.NewGuid().ToString("N");
        // x-mock-* is forwarded to the test provider, OpenAI-Beta to every provider; a session id never is.
        client.DefaultRequestHeaders.Add("x-mock-tag", tag);
        client.DefaultRequestHeaders.Add("OpenAI-Beta", "assistants=v2");
        client.DefaultRequestHeaders.Add("X-Session-Id", "session-" + tag);

        var (body, _) = await AskAsync(client, name, stream: false);
        Assert.Contains("v1 for Acme", body, StringComparison.Ordinal);

        // The stable call and its copy reach the provider with the same forwarded headers (which are carried and which
        // are not is ShadowForwardedHeadersTests'; here, that the copy's pass through the gateway keeps them).
        var calls = await Eventually.ResultAsync(
            () => Task.FromResult(env.Received.ForTag(tag)),
            received => received.Count == 2,
            TimeSpan.FromSeconds(10));
        var copy = Assert.Single(calls, c => c.Body.Contains("v2 for Acme", StringComparison.Ordinal));
        var stable = Assert.Single(calls, c => c.Body.Contains("v1 for Acme", StringComparison.Ordinal));
        foreach (var call in new[] { stable, copy })
        {
            Assert.Equal("assistants=v2", call.Headers["OpenAI-Beta"]);
            Assert.False(call.Headers.ContainsKey("X-Session-Id"));
            Assert.DoesNotContain(call.Headers, h => h.Key.StartsWith("X-Gateway-", StringComparison.OrdinalIgnoreCase));
        }

        // The candidate's answer is sampled under the shadow arm, paired with the stable request's sample.
        var shadow = Assert.Single(await Sampling.SampleWaiter.ListAsync(env.Gateway, $"prompt={name}&variant=shadow", 1, TimeSpan.FromSeconds(10)));
        var stableSample = Assert.Single(await Sampling.SampleWaiter.ListAsync(env.Gateway, $"prompt={name}&variant=stable", 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, shadow.GetProperty("version").GetInt32());
        var record = await Sampling.SampleWaiter.GetAsync(env.Gateway, shadow.GetProperty("id").GetString()!);
        Assert.Equal(stableSample.GetProperty("id").GetString(), record.GetProperty("paired_with").GetString());
    }

    [Fact]
    public async Task The_copy_keeps_the_clients_query_string()
    {
        var name = await ShadowStep.StartOnNewPromptAsync(env.Gateway, "shadow-query");
        using var client = env.Gateway.CreateClient(await PromptSetup.KeyAsync(env.Gateway));
        var tag = "shadow-" + Guid.NewGuid().ToString("N");

        // The mock reads its tag from the query too: the copy arrives tagged only if its query came along.
        using var response = await client.PostAsync(new Uri($"/v1/chat/completions?mock_tag={tag}", UriKind.Relative), Json(Body(name, stream: false)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var calls = await Eventually.ResultAsync(
            () => Task.FromResult(env.Received.ForTag(tag)),
            received => received.Count == 2,
            TimeSpan.FromSeconds(10));
        var copy = Assert.Single(calls, c => c.Body.Contains("v2 for Acme", StringComparison.Ordinal));
        Assert.Contains($"mock_tag={tag}", copy.QueryString, StringComparison.Ordinal);
    }

    private static async Task<(string Body, string Headers)> AskAsync(HttpClient client, string name, bool stream)
    {
        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json(Body(name, stream)), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        // Names and values, except the ones unique to every response; a length as whether it is this body's (the mock's
        // numbered ids make two bodies' lengths differ when the number gains a digit).
        var length = Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Where(h => !Unique.Contains(h.Key))
            .Select(h => h.Key == "Content-Length" ? $"Content-Length: {(h.Value.Single() == length ? "this body's" : h.Value.Single())}" : $"{h.Key}: {string.Join(",", h.Value)}")
            .Order(StringComparer.Ordinal));
        return (body, headers);
    }

    private static string Body(string name, bool stream) => $$"""
        {"model":"prompt:{{name}}","stream":{{(stream ? "true" : "false")}},"prompt_variables":{"company":"Acme"},
         "messages":[{"role":"user","content":"Where is my parcel?"}],"user":"same-user"}
        """;

    private static readonly HashSet<string> Unique = new(StringComparer.OrdinalIgnoreCase) { "Date", "X-Request-Id", "X-Upstream-Request-Id", "traceparent" };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>
    /// The mock numbers its ids and stamps the time, and the streamed usage comment carries this request's timings;
    /// everything else must be the same bytes.
    /// </summary>
    private static string Normalize(string body) => Timing().Replace(CreatedField().Replace(MockId().Replace(body, "mock-N"), "\"created\":T"), "\"$1\":T");

    [GeneratedRegex(@"""(ttft_ms|latency_ms)"":[\d.]+")]
    private static partial Regex Timing();

    [GeneratedRegex(@"mock-\d+")]
    private static partial Regex MockId();

    [GeneratedRegex(@"""created"":\d+")]
    private static partial Regex CreatedField();
}
