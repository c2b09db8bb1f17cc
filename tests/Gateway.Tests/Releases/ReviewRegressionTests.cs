using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmGateway.Auth;
using LlmGateway.Store;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Releases;

/// <summary>Edge cases found in review: each once broke something, and must not again.</summary>
public sealed class ReviewRegressionTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Content_that_looks_like_the_version_or_parent_fields_is_stored_unchanged()
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        var name = Bundles.UniqueName("lookalike");
        var filters = """{"version":0,"parent":null,"v":0.5}""";

        var pushed = (await author.PushAsync(Bundles.Json(name, extra: $$""", "retrieval": { "corpus": "kb", "filters": {{filters}} }"""))).Expect(HttpStatusCode.Created).Json;
        var again = (await author.PushAsync(Bundles.Json(name, extra: $$""", "retrieval": { "corpus": "kb", "filters": {{filters}} }"""))).Expect(HttpStatusCode.OK).Json;

        var stored = pushed.GetProperty("bundle").GetProperty("retrieval").GetProperty("filters");
        Assert.Equal(0, stored.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("parent").ValueKind);
        Assert.Equal(0.5, stored.GetProperty("v").GetDouble());
        Assert.Equal(1, again.GetProperty("bundle").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_prompt_whose_index_entry_was_lost_after_its_push_is_listed_again_when_released()
    {
        // The prompt index is another key (another slot on a cluster) than the push's script writes: a push whose index
        // write failed left a prompt every instance's release sync skipped. Releasing it puts it back.
        var name = Bundles.UniqueName("unindexed");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        Assert.True(await store.Database.SetRemoveAsync(store.Keys.PromptIndex, name));
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2}""")).Expect(HttpStatusCode.OK);

        Assert.True(await store.Database.SetContainsAsync(store.Keys.PromptIndex, name));
    }

    [Fact]
    public async Task A_sampling_edit_of_a_release_stored_before_routed_at_keeps_its_last_change_as_the_routing_one()
    {
        var name = Bundles.UniqueName("routed-upgrade");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var key = store.Keys.Release(name, PromptSetup.Environment);
        // As an older gateway stored it: no routed_at, routed_by.
        await store.Database.StringSetAsync(key, """{"stable":1,"canary":2,"canary_weight":5000,"stickiness":"auto","salt":"ab12","revision":3,"updated_at":"2026-11-29T12:00:00+00:00","actor":"rollout-controller"}""");
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        (await operatorClient.PutAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}/sampling", """{"sampling":{"canary":1}}""")).Expect(HttpStatusCode.OK);

        using var stored = JsonDocument.Parse((string)(await store.Database.StringGetAsync(key))!);
        Assert.Equal("rollout-controller", stored.RootElement.GetProperty("routed_by").GetString());
        Assert.Equal(DateTimeOffset.Parse("2026-11-29T12:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture), stored.RootElement.GetProperty("routed_at").GetDateTimeOffset());
        Assert.Equal("olga", stored.RootElement.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task A_second_rollback_does_not_put_the_bad_version_back()
    {
        var name = Bundles.UniqueName("rollback-twice");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2}""")).Expect(HttpStatusCode.OK);

        var first = (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", "{}")).Expect(HttpStatusCode.OK).Json;
        var second = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", "{}");

        Assert.Equal(1, first.GetProperty("stable").GetInt32());
        Assert.Equal("nothing_to_roll_back", second.Expect(HttpStatusCode.Conflict).ErrorCode);
    }

    [Fact]
    public async Task A_raw_release_with_null_fields_still_serves_and_an_unreadable_one_can_be_repaired_through_the_api()
    {
        var name = Bundles.UniqueName("raw-null");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        var key = await PromptSetup.KeyAsync(env.Gateway);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), """{"stable":1,"canary":2,"canary_weight":5000,"salt":null,"stickiness":null}""");
        var served = await Eventually.ResultAsync(() => ChatAsync(key, name), r => r.Headers.Contains("X-Prompt-Variant") && r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        served.Dispose();

        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), "{\"stable\":1,");
        var show = await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}");
        var repair = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":1,"reason":"repair"}""");

        Assert.Equal("invalid_release", show.Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal(1, repair.Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
        using var after = await ChatAsync(key, name);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Repairing_an_unreadable_release_keeps_the_last_good_ones_history_salt_and_revision()
    {
        var name = Bundles.UniqueName("raw-repair");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var good = (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2}""")).Expect(HttpStatusCode.OK).Json;
        var revision = good.GetProperty("revision").GetInt64();
        var salt = good.GetProperty("salt").GetString();

        // A bad raw write every instance ignores (they keep serving v2), repaired through the API.
        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), "{\"stable\":2,");
        var repaired = (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":1,"reason":"repair"}""")).Expect(HttpStatusCode.OK).Json;

        Assert.Equal(1, repaired.GetProperty("stable").GetInt32());
        Assert.Equal(revision + 1, repaired.GetProperty("revision").GetInt64());
        Assert.Equal(salt, repaired.GetProperty("salt").GetString());
        Assert.Equal(2, repaired.GetProperty("previous_stable").GetInt32());
        Assert.Equal(2, (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", "{}")).Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task A_raw_release_naming_a_missing_version_is_invalid_until_a_release_set_repairs_it()
    {
        var name = Bundles.UniqueName("raw-dangling");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<GatewayStore>();
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        // Every instance ignores it and goes on serving v1: the API must not show it as the release in force.
        await store.Database.StringSetAsync(store.Keys.Release(name, PromptSetup.Environment), """{"stable":99,"previous_stable":1,"revision":50}""");
        var show = await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}");
        var prompt = await operatorClient.GetAsync($"/admin/v1/prompts/{name}");
        var repair = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2,"reason":"repair"}""");
        var rollback = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", "{}");

        Assert.Equal("invalid_release", show.Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Contains("v99", show.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(prompt.Expect(HttpStatusCode.OK).Json.GetProperty("releases").TryGetProperty(PromptSetup.Environment, out _));
        var repaired = repair.Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, repaired.GetProperty("stable").GetInt32());
        // The repair starts from the last good release (v1, which every instance went on serving), never from the version
        // never served; the revision counts on from the higher of the two.
        Assert.Equal(1, repaired.GetProperty("previous_stable").GetInt32());
        Assert.Equal(51, repaired.GetProperty("revision").GetInt64());
        Assert.Equal(1, rollback.Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
        Assert.Equal(1, (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task Long_numbers_in_prompt_variables_keep_every_digit()
    {
        var name = Bundles.UniqueName("digits");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);

        using var response = await ChatAsync(key, name, company: "9007199254740993");

        Assert.Contains("system=v1 for 9007199254740993", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","user":"\ud800","messages":[]}""")]
    [InlineData("""{"model":"gpt-4o-mini","messages":[{"role":"\udc00","content":"x"}]}""")]
    public async Task A_lone_surrogate_escape_is_a_400_not_a_500(string body)
    {
        using var client = env.Gateway.CreateClient(env.ApiKey);

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_json");
    }

    [Fact]
    public async Task Messages_that_are_not_an_array_are_refused_on_a_prompt_request()
    {
        var name = Bundles.UniqueName("messages-shape");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1)]);
        var key = await PromptSetup.KeyAsync(env.Gateway);
        using var client = env.Gateway.CreateClient(key);

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"prompt:{{name}}","prompt_variables":{"company":"A"},"messages":"hello"}""", Encoding.UTF8, "application/json"), Ct);

        var error = await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.BadRequest, "invalid_value");
        Assert.Equal("messages", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task The_published_demo_key_is_refused_by_a_gateway_not_in_demo_mode()
    {
        // As if a demo had once run against this store.
        await env.Gateway.GetRequiredService<GatewayKeyStore>().RegisterAsync("sk-gateway-demo", "demo", "production", []);
        using var client = env.Gateway.CreateClient("sk-gateway-demo");

        using var response = await client.GetAsync("/v1/models", Ct);

        await ErrorAssertions.AssertOpenAiErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task History_beyond_the_limit_shows_the_newest_events()
    {
        var name = await ReleasedWithEventsAsync(6);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);

        var latest = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env={PromptSetup.Environment}&limit=2")).Expect(HttpStatusCode.OK).Json;

        var revisions = latest.EnumerateArray().Select(e => e.GetProperty("after").GetProperty("revision").GetInt64()).ToList();
        Assert.Equal([6, 7], revisions);
    }

    private async Task<string> ReleasedWithEventsAsync(int weightChanges)
    {
        var name = Bundles.UniqueName("long-history");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        for (var i = 1; i <= weightChanges; i++)
        {
            (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "canary", $$"""{"version":2,"weight":{{i * 100}}}""")).Expect(HttpStatusCode.OK);
        }

        return name;
    }

    /// <param name="company">The variable's JSON value, as written into the body.</param>
    private async Task<HttpResponseMessage> ChatAsync(string key, string name, string company = "\"Acme\"")
    {
        using var client = env.Gateway.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"prompt:{{name}}","prompt_variables":{"company":{{company}}},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        return await client.SendAsync(request, Ct);
    }
}
