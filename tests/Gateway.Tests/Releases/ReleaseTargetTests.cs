using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Releases;

/// <summary>What a release change points the traffic at, and what its history event says it pointed at.</summary>
public sealed class ReleaseTargetTests(TestEnvironment env)
{
    [Fact]
    public async Task A_version_whose_model_the_gateway_no_longer_has_is_refused_for_a_release_and_for_a_rollback()
    {
        // Another gateway on the same store still has the model: there the version is pushed and released, as it was
        // before the model left the catalog.
        var settings = env.GatewaySettings();
        settings["Gateway:Models:retired-model:Provider"] = "mock";
        settings["Gateway:Models:retired-model:UpstreamModel"] = "gpt-4o-mini";
        await using var older = await GatewayHost.StartAsync(settings);
        var name = Bundles.UniqueName("retired");
        using (var author = new AdminClient(older, TestEnvironment.AuthorToken))
        {
            (await author.PushAsync(PromptSetup.Bundle(name, 1).Replace("\"gpt-4o-mini\"", "\"retired-model\"", StringComparison.Ordinal))).Expect(HttpStatusCode.Created);
            (await author.PushAsync(PromptSetup.Bundle(name, 2))).Expect(HttpStatusCode.Created);
        }

        using (var olderOperator = new AdminClient(older, TestEnvironment.OperatorToken))
        {
            (await olderOperator.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
            (await olderOperator.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2}""")).Expect(HttpStatusCode.OK);
        }

        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        var set = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":1}""");
        var rollback = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", "{}");

        // Accepted, every instance without the model would ignore it and keep the old value (one started later: none).
        foreach (var refused in (AdminResponse[])[set, rollback])
        {
            Assert.Equal("version_unservable", refused.Expect(HttpStatusCode.Conflict).ErrorCode);
            var error = refused.Json.GetProperty("error");
            Assert.Equal("version", error.GetProperty("param").GetString());
            Assert.Contains("'retired-model' is no longer in the catalog", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, release.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task A_version_whose_stored_record_does_not_read_is_refused_as_unservable_not_a_500()
    {
        var name = Bundles.UniqueName("unreadable");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        await store.Database.HashSetAsync(store.Keys.PromptBundles(name), 2, "{not json");
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var set = await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2}""");
        var rollout = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}", """{"version":2}""");

        Assert.Equal("version_unservable", set.Expect(HttpStatusCode.Conflict).ErrorCode);
        Assert.Equal("version_unservable", rollout.Expect(HttpStatusCode.Conflict).ErrorCode);
    }

    [Fact]
    public async Task A_rollout_against_a_stable_version_whose_record_does_not_read_is_refused_as_unservable_not_a_500()
    {
        var name = Bundles.UniqueName("unreadable-stable");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();
        await store.Database.HashSetAsync(store.Keys.PromptBundles(name), 1, "{not json");
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);

        var rollout = await operatorClient.PostAsync($"/admin/v1/prompts/{name}/rollouts/{PromptSetup.Environment}", """{"version":2}""");

        var error = rollout.Expect(HttpStatusCode.Conflict).Json.GetProperty("error");
        Assert.Equal("version_unservable", error.GetProperty("code").GetString());
        Assert.StartsWith($"The stable version: {name} v1 cannot serve", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var release = (await operatorClient.GetAsync($"/admin/v1/prompts/{name}/releases/{PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        Assert.False(release.TryGetProperty("canary", out var canary) && canary.ValueKind == System.Text.Json.JsonValueKind.Number, "no canary was started");
    }

    [Fact]
    public async Task A_rollout_step_never_starts_a_canary_again_over_a_release_whose_canary_was_taken_away()
    {
        // A rollback written by hand that kept the revision it copied passed the step's revision check: the step then
        // brought the canary back, at the next step's weight, over the operator's rollback.
        var name = Bundles.UniqueName("canary-gone");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        var releases = env.Gateway.GetRequiredService<LlmGateway.Releases.ReleaseService>();
        var (current, _) = await releases.GetAsync(name, PromptSetup.Environment);

        var (changed, refusal) = await releases.ApplyAsync(
            name, PromptSetup.Environment, new LlmGateway.Releases.ReleaseChange("canary-start", 2, 2500, "rollout step 3/5 (25%)", current!.Revision, null, CanaryMustServe: true),
            "rollout-controller", TestContext.Current.CancellationToken);

        Assert.Null(changed);
        Assert.Equal((409, "canary_gone"), (refusal!.StatusCode, refusal.Code));
        var (after, _) = await releases.GetAsync(name, PromptSetup.Environment);
        Assert.Null(after!.Canary);
    }

    [Fact]
    public async Task A_rollback_is_recorded_with_the_version_it_restored_whatever_version_the_client_sent()
    {
        var name = Bundles.UniqueName("rollback-version");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [PromptSetup.Bundle(name, 1), PromptSetup.Bundle(name, 2)]);
        using var operatorClient = new AdminClient(env.Gateway, TestEnvironment.OperatorToken);
        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "set", """{"version":2}""")).Expect(HttpStatusCode.OK);

        (await operatorClient.ReleaseAsync(name, PromptSetup.Environment, "rollback", """{"version":99}""")).Expect(HttpStatusCode.OK);

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var history = (await viewer.GetAsync($"/admin/v1/prompts/{name}/history?env={PromptSetup.Environment}")).Expect(HttpStatusCode.OK).Json;
        var rollback = Assert.Single(history.EnumerateArray(), e => e.GetProperty("action").GetString() == "rollback");
        Assert.Equal(1, rollback.GetProperty("version").GetInt32());
    }
}
