using System.Net;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Releases;

/// <summary>Stored evaluation runs: the admin API round trip and the release gate that reads them.</summary>
public sealed class EvalRunsTests(TestEnvironment env) : IDisposable
{
    private readonly AdminClient _author = new(env.Gateway, TestEnvironment.AuthorToken);
    private readonly AdminClient _approver = new(env.Gateway, TestEnvironment.ApproverToken);
    private readonly AdminClient _operator = new(env.Gateway, TestEnvironment.OperatorToken);
    private readonly AdminClient _viewer = new(env.Gateway, TestEnvironment.ViewerToken);

    [Fact]
    public async Task A_run_is_stored_with_server_fields_and_listed_newest_first()
    {
        var name = Bundles.UniqueName("evals");
        (await _author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief."))).Expect(HttpStatusCode.Created);

        var first = (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(2, 1, "fail", "accuracy"))).Expect(HttpStatusCode.Created).Json;
        var second = (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(2, 1, "pass", id: "evr_custom"))).Expect(HttpStatusCode.Created).Json;
        var duplicate = await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(2, 1, "pass", id: "evr_custom"));

        var id = first.GetProperty("id").GetString()!;
        Assert.StartsWith("evr_", id, StringComparison.Ordinal);
        Assert.Equal("ada", first.GetProperty("actor").GetString());
        Assert.Equal(name, first.GetProperty("prompt").GetString());
        Assert.Equal(64, first.GetProperty("candidate").GetProperty("bundle_id").GetString()!.Length);
        Assert.Equal("evr_custom", second.GetProperty("id").GetString());
        Assert.Equal("eval_run_exists", duplicate.Expect(HttpStatusCode.Conflict).ErrorCode);

        var shown = (await _viewer.GetAsync($"/admin/v1/prompts/{name}/evals/{id}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal("fail", shown.GetProperty("verdict").GetString());
        Assert.Equal("regressed", shown.GetProperty("metrics")[0].GetProperty("verdict").GetString());
        var listed = (await _viewer.GetAsync($"/admin/v1/prompts/{name}/evals?version=2")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(["evr_custom", id], listed.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Single((await _viewer.GetAsync($"/admin/v1/prompts/{name}/evals?limit=1")).Expect(HttpStatusCode.OK).Json.EnumerateArray());
        Assert.Empty((await _viewer.GetAsync($"/admin/v1/prompts/{name}/evals?version=1")).Expect(HttpStatusCode.OK).Json.EnumerateArray());
        Assert.Equal("eval_run_not_found", (await _viewer.GetAsync($"/admin/v1/prompts/{name}/evals/evr_missing")).Expect(HttpStatusCode.NotFound).ErrorCode);
    }

    [Fact]
    public async Task Bad_runs_are_refused_in_the_error_shape()
    {
        var name = Bundles.UniqueName("evals-bad");
        (await _author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        var path = $"/admin/v1/prompts/{name}/evals";

        Assert.Equal("prompt_not_found", (await _author.PostAsync("/admin/v1/prompts/no-such-prompt/evals", Run(1, 1, "pass"))).Expect(HttpStatusCode.NotFound).ErrorCode);
        AssertInvalid(await _author.PostAsync(path, Run(9, 1, "pass")), "candidate.version");
        AssertInvalid(await _author.PostAsync(path, Run(1, 7, "pass")), "baseline.version");
        AssertInvalid(await _author.PostAsync(path, Run(1, 1, "great")), "verdict");
        AssertInvalid(await _author.PostAsync(path, """{"verdict":"pass","baseline":{"version":1}}"""), "candidate.version");
        AssertInvalid(await _author.PostAsync(path, """{"verdict":"pass","candidate":{"version":1,"bundle_id":"abc"},"baseline":{"version":1}}"""), "candidate.bundle_id");
        AssertInvalid(await _author.PostAsync(path, """{"verdict":"pass","candidate":{"version":1},"baseline":{"version":1},"surprise":1}"""), "surprise");
        Assert.Equal("missing_role", (await _viewer.PostAsync(path, Run(1, 1, "pass"))).Expect(HttpStatusCode.Forbidden).ErrorCode);

        // A pass that gated nothing, or gated on a metric no case measured, says nothing about the version.
        var ungated = Run(1, 1, "pass").Replace("\"gated\": true", "\"gated\": false", StringComparison.Ordinal);
        AssertInvalid(await _author.PostAsync(path, ungated), "metrics");
        AssertInvalid(await _author.PostAsync(path, Run(1, 1, "pass").Replace("\"n\": 40", "\"n\": 0", StringComparison.Ordinal)), "metrics[0].n");
        (await _author.PostAsync(path, ungated.Replace("\"verdict\": \"pass\"", "\"verdict\": \"inconclusive\"", StringComparison.Ordinal))).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_gated_version_enters_production_only_with_a_passing_run_against_the_current_stable()
    {
        var name = await GatedSecondVersionAsync("evals-gate", """{ "dataset": "datasets/golden.jsonl", "gate_required": true }""");
        var evals = $"/admin/v1/prompts/{name}/evals";

        var noRun = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");
        (await _author.PostAsync(evals, Run(2, 2, "pass"))).Expect(HttpStatusCode.Created);
        var wrongBaseline = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");
        (await _author.PostAsync(evals, Run(2, 1, "pass", dataset: "other.jsonl"))).Expect(HttpStatusCode.Created);
        var wrongDataset = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");
        (await _author.PostAsync(evals, Run(2, 1, "fail", "accuracy"))).Expect(HttpStatusCode.Created);
        var failing = await _operator.ReleaseAsync(name, "production", "canary", """{"version":2,"weight":1000}""");
        (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        var passing = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");

        Assert.Equal("eval_gate_required", noRun.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Contains("none is recorded", Message(noRun), StringComparison.Ordinal);
        Assert.Equal("eval_gate_required", wrongBaseline.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Contains("runs compare against v2, production's stable is v1", Message(wrongBaseline), StringComparison.Ordinal);
        Assert.Contains("'datasets/golden.jsonl'", Message(wrongDataset.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        Assert.Equal("eval_gate_required", failing.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Contains("regressed: accuracy", Message(failing), StringComparison.Ordinal);
        Assert.Equal(2, passing.Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task A_bundle_that_pins_its_datasets_content_counts_only_runs_on_that_content()
    {
        var pinned = new string('b', 64);
        var name = await GatedSecondVersionAsync("evals-pinned", $$"""{ "dataset": "datasets/golden.jsonl", "dataset_sha256": "{{pinned}}", "gate_required": true }""");
        var evals = $"/admin/v1/prompts/{name}/evals";

        // A pass on a file of the same name with other cases (a trimmed copy, an edited one) is another test.
        (await _author.PostAsync(evals, Run(2, 1, "pass", sha: 'a'))).Expect(HttpStatusCode.Created);
        var otherContent = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");
        Assert.Equal("eval_gate_required", otherContent.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Contains($"at sha256 {pinned}", Message(otherContent), StringComparison.Ordinal);
        Assert.Contains("other content do not count", Message(otherContent), StringComparison.Ordinal);

        // The same hash in capitals (as PowerShell's Get-FileHash prints it) is the same content.
        (await _author.PostAsync(evals, Run(2, 1, "pass", sha: 'B'))).Expect(HttpStatusCode.Created);
        Assert.Equal(2, (await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""")).Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
    }

    [Theory]
    [InlineData(""", "eval": { "dataset_sha256": "0000000000000000000000000000000000000000000000000000000000000000" }""")]
    [InlineData(""", "eval": { "dataset": "golden.jsonl", "dataset_sha256": "ABCDEF" }""")]
    [InlineData(""", "eval": { "dataset": "golden.jsonl", "dataset_sha256": "sha256:0000000000000000000000000000000000000000000000000000000000000000" }""")]
    public async Task A_dataset_pin_needs_the_dataset_and_a_sha256_in_lowercase_hex(string eval)
    {
        var refused = await _author.PushAsync(Bundles.Json(Bundles.UniqueName("evals-pin-bad"), "Hi {{ company }}.", eval));
        Assert.Contains("eval.dataset_sha256", refused.Expect(HttpStatusCode.BadRequest).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_passing_run_becomes_evidence_on_the_activation_event_and_shows_beside_its_version()
    {
        var name = await GatedSecondVersionAsync("evals-evidence");
        var evals = $"/admin/v1/prompts/{name}/evals";
        (await _author.PostAsync(evals, Run(2, 1, "fail", "accuracy", id: "evr_older_fail"))).Expect(HttpStatusCode.Created);
        var passed = (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created).Json.GetProperty("id").GetString()!;

        (await _operator.ReleaseAsync(name, "production", "canary", """{"version":2,"weight":1000,"evidence":{"ticket":"OPS-7","verdict":"mine"}}""")).Expect(HttpStatusCode.OK);
        (await _operator.ReleaseAsync(name, "staging", "set", """{"version":2}""")).Expect(HttpStatusCode.OK);

        var history = (await _viewer.GetAsync($"/admin/v1/prompts/{name}/history")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        var canary = history.Single(e => e.GetProperty("action").GetString() == "canary-start").GetProperty("evidence");
        Assert.Equal(passed, canary.GetProperty("eval_run").GetString());
        Assert.Equal("pass", canary.GetProperty("verdict").GetString());
        Assert.Equal("OPS-7", canary.GetProperty("ticket").GetString());
        // Unprotected environments are not gated, so no run is named; v1 was released before any gate.
        Assert.All(
            history.Where(e => e.GetProperty("action").GetString() == "release-set"),
            e => Assert.False(e.TryGetProperty("evidence", out var evidence) && evidence.ValueKind == System.Text.Json.JsonValueKind.Object && evidence.TryGetProperty("eval_run", out _)));

        var versions = (await _viewer.GetAsync($"/admin/v1/prompts/{name}")).Expect(HttpStatusCode.OK).Json.GetProperty("versions").EnumerateArray().ToList();
        Assert.False(versions[0].TryGetProperty("latest_eval", out _));
        var latest = versions[1].GetProperty("latest_eval");
        Assert.Equal(passed, latest.GetProperty("id").GetString());
        Assert.Equal("pass", latest.GetProperty("verdict").GetString());
        Assert.Equal(1, latest.GetProperty("baseline_version").GetInt32());
        Assert.True(latest.TryGetProperty("created_at", out _));
        var metric = Assert.Single(latest.GetProperty("metrics").EnumerateArray());
        Assert.Equal("pass_rate", metric.GetProperty("name").GetString());
        Assert.Equal(-0.1, metric.GetProperty("delta").GetDouble(), 6);
        Assert.Equal("unchanged", metric.GetProperty("verdict").GetString());
        Assert.False((await _viewer.GetAsync($"/admin/v1/prompts/{name}/versions/2")).Expect(HttpStatusCode.OK).Json.TryGetProperty("latest_eval", out _));
    }

    [Fact]
    public async Task A_pass_must_carry_call_counts_that_show_it_is_complete()
    {
        var name = Bundles.UniqueName("evals-calls");
        (await _author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        var path = $"/admin/v1/prompts/{name}/evals";
        const string allFailed = """{"baseline":{"total":40,"failed":0},"candidate":{"total":40,"failed":40},"max_error_rate":0.02}""";

        var uncounted = await _author.PostAsync(path, Run(1, 1, "pass").Replace($"\"calls\": {CompleteCalls},", "", StringComparison.Ordinal));
        var failedPass = await _author.PostAsync(path, Run(1, 1, "pass", calls: allFailed));
        var nonsense = await _author.PostAsync(path, Run(1, 1, "fail", calls: """{"candidate":{"total":4,"failed":9},"max_error_rate":0.02}"""));
        var lax = await _author.PostAsync(path, Run(1, 1, "fail", calls: """{"baseline":{"total":4,"failed":0},"candidate":{"total":4,"failed":0},"max_error_rate":0.9}"""));
        var candidateOnly = await _author.PostAsync(path, Run(1, 1, "pass", calls: """{"candidate":{"total":60,"failed":0},"max_error_rate":0.02}"""));
        var regressedPass = await _author.PostAsync(path, Run(1, 1, "pass", regressed: "accuracy"));
        var incomplete = (await _author.PostAsync(path, Run(1, 1, "incomplete", calls: allFailed))).Expect(HttpStatusCode.Created).Json;

        AssertInvalid(uncounted, "verdict");
        Assert.Contains("needs 'calls'", Message(uncounted), StringComparison.Ordinal);
        AssertInvalid(failedPass, "verdict");
        Assert.Contains("0/40 candidate calls succeeded", Message(failedPass), StringComparison.Ordinal);
        AssertInvalid(nonsense, "calls.candidate");
        AssertInvalid(lax, "calls.max_error_rate");
        AssertInvalid(candidateOnly, "calls.baseline");
        AssertInvalid(regressedPass, "metrics[0].verdict");
        Assert.Equal("incomplete", incomplete.GetProperty("verdict").GetString());
        Assert.False(incomplete.GetProperty("complete").GetBoolean());
        Assert.Equal(40, incomplete.GetProperty("calls").GetProperty("candidate").GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task Only_complete_runs_open_the_gate_and_the_admitting_runs_calls_become_evidence()
    {
        var name = await GatedSecondVersionAsync("evals-complete");
        var evals = $"/admin/v1/prompts/{name}/evals";

        // What gatewayctl stored before this fix for a key without the pin permission: every call failed.
        (await _author.PostAsync(evals, Run(2, 1, "incomplete", calls: """{"baseline":{"total":60,"failed":60},"candidate":{"total":60,"failed":60},"max_error_rate":0.02}"""))).Expect(HttpStatusCode.Created);
        var refused = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");
        var passed = (await _author.PostAsync(evals, Run(2, 1, "pass", calls: """{"baseline":{"total":60,"failed":0},"candidate":{"total":60,"failed":1},"max_error_rate":0.02}"""))).Expect(HttpStatusCode.Created).Json.GetProperty("id").GetString();
        var admitted = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");

        Assert.Equal("eval_gate_required", refused.Expect(HttpStatusCode.Forbidden).ErrorCode);
        Assert.Contains("none is complete", Message(refused), StringComparison.Ordinal);
        Assert.Contains("0/60 baseline, 0/60 candidate calls succeeded", Message(refused), StringComparison.Ordinal);
        admitted.Expect(HttpStatusCode.OK);
        var history = (await _viewer.GetAsync($"/admin/v1/prompts/{name}/history")).Expect(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        var evidence = history.Last(e => e.GetProperty("action").GetString() == "release-set").GetProperty("evidence");
        Assert.Equal(passed, evidence.GetProperty("eval_run").GetString());
        Assert.Equal(1, evidence.GetProperty("eval_calls").GetProperty("candidate").GetProperty("failed").GetInt32());
        Assert.Equal(60, evidence.GetProperty("eval_calls").GetProperty("baseline").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_first_version_enters_on_a_complete_run_that_meets_the_bundles_thresholds()
    {
        var name = Bundles.UniqueName("evals-first");
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support.", """, "eval": { "gate_required": true, "thresholds": { "accuracy": 0.9 } }"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        var evals = $"/admin/v1/prompts/{name}/evals";
        const string calls = """{"candidate":{"total":30,"failed":0},"max_error_rate":0.02}""";

        var none = await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""");
        var withBaseline = await _author.PostAsync(evals, Thresholds(1, "pass", 0.95, 0.9, calls).Replace("\"mode\"", "\"baseline\":{\"version\":1},\"mode\"", StringComparison.Ordinal));
        (await _author.PostAsync(evals, Thresholds(1, "pass", 0.95, 0.8, calls))).Expect(HttpStatusCode.Created);
        var staleThresholds = await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""");
        (await _author.PostAsync(evals, Thresholds(1, "fail", 0.85, 0.9, calls, "regressed"))).Expect(HttpStatusCode.Created);
        var below = await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""");
        var lying = await _author.PostAsync(evals, Thresholds(1, "pass", 0.85, 0.9, calls));
        var met = (await _author.PostAsync(evals, Thresholds(1, "pass", 0.95, 0.9, calls))).Expect(HttpStatusCode.Created).Json;
        var admitted = await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""");

        Assert.Contains("--baseline none", Message(none.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        AssertInvalid(withBaseline, "baseline");
        AssertInvalid(lying, "metrics[0].candidate");
        Assert.Contains("eval.thresholds (accuracy 0.9)", Message(staleThresholds.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        Assert.Contains("eval.thresholds", Message(below.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        Assert.Equal("thresholds", met.GetProperty("mode").GetString());
        Assert.False(met.TryGetProperty("baseline", out var baseline) && baseline.ValueKind != System.Text.Json.JsonValueKind.Null);
        Assert.Equal(1, admitted.Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task A_hand_written_stable_that_was_never_pushed_does_not_block_the_release_set_that_repairs_it()
    {
        var name = Bundles.UniqueName("evals-dangling");
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support.", """, "eval": { "gate_required": true, "thresholds": { "accuracy": 0.9 } }"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Thresholds(1, "pass", 0.95, 0.9, """{"candidate":{"total":30,"failed":0},"max_error_rate":0.02}"""))).Expect(HttpStatusCode.Created);
        (await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();

        // No run can compare against a version that does not exist: the gate reads it as no stable, as the instances do.
        await store.Database.StringSetAsync(store.Keys.Release(name, "production"), """{"stable":99,"revision":5}""");
        var repaired = await _operator.ReleaseAsync(name, "production", "set", """{"version":1,"reason":"repair"}""");

        Assert.Equal(1, repaired.Expect(HttpStatusCode.OK).Json.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task A_repair_of_an_ignored_value_is_gated_against_the_last_good_stable_the_instances_still_serve()
    {
        var name = Bundles.UniqueName("evals-repair");
        const string gated = """, "eval": { "gate_required": true, "thresholds": { "accuracy": 0.9 } }""";
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support.", gated))).Expect(HttpStatusCode.Created);
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief.", gated))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/2/approve")).Expect(HttpStatusCode.OK);
        (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Thresholds(1, "pass", 0.95, 0.9, """{"candidate":{"total":30,"failed":0},"max_error_rate":0.02}"""))).Expect(HttpStatusCode.Created);
        (await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        var store = env.Gateway.GetRequiredService<LlmGateway.Store.GatewayStore>();

        // A bad raw write every instance ignores: they go on serving v1, the repair starts from it, and so does its gate,
        // which admits v2 on its passing comparison with v1 (read as a first release, it asked for a thresholds run).
        await store.Database.StringSetAsync(store.Keys.Release(name, "production"), "{\"stable\":");
        var repaired = await _operator.ReleaseAsync(name, "production", "set", """{"version":2,"reason":"repair"}""");

        var release = repaired.Expect(HttpStatusCode.OK).Json;
        Assert.Equal((2, 1), (release.GetProperty("stable").GetInt32(), release.GetProperty("previous_stable").GetInt32()));
    }

    [Fact]
    public async Task A_first_version_with_thresholds_is_not_admitted_on_a_comparison_nor_on_itself()
    {
        // A comparison never checks the bundle's thresholds, and a version against itself measures only noise.
        var name = Bundles.UniqueName("evals-self");
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support.", """, "eval": { "gate_required": true, "thresholds": { "accuracy": 0.9 } }"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        var other = Bundles.UniqueName("evals-self-nothresholds");
        (await _author.PushAsync(Bundles.Json(other, "You are {{ company }} support.", """, "eval": { "gate_required": true }"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{other}/versions/1/approve")).Expect(HttpStatusCode.OK);

        (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(1, 1, "pass"))).Expect(HttpStatusCode.Created);
        (await _author.PostAsync($"/admin/v1/prompts/{other}/evals", Run(1, 1, "pass"))).Expect(HttpStatusCode.Created);
        var withThresholds = await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""");
        var withoutThresholds = await _operator.ReleaseAsync(other, "production", "set", """{"version":1}""");

        Assert.Contains("eval.thresholds (accuracy 0.9)", Message(withThresholds.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        Assert.Contains("measures only noise", Message(withoutThresholds.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_newest_run_decides_an_older_pass_does_not_outvote_a_newer_fail()
    {
        var name = await GatedSecondVersionAsync("evals-newest");
        var evals = $"/admin/v1/prompts/{name}/evals";

        (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        (await _author.PostAsync(evals, Run(2, 1, "fail", "accuracy"))).Expect(HttpStatusCode.Created);
        var refused = await _operator.ReleaseAsync(name, "production", "set", """{"version":2}""");

        Assert.Contains("An older run passed, but the newest decides", Message(refused.Expect(HttpStatusCode.Forbidden)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fail", BrokenBaselineCalls)]
    [InlineData("fail", null)]
    [InlineData("incomplete", BrokenCandidateCalls)]
    public async Task A_newer_fail_counts_complete_or_not_and_so_does_a_run_whose_candidate_calls_broke(string verdict, string? calls)
    {
        // An incomplete run proves nothing, unless it fails: its verdict says so, or its counts show the candidate's own
        // calls failing while the baseline's did not. Skipping it would let the older pass stand for the version.
        var name = await GatedSecondVersionAsync("evals-incomplete-fail");
        var evals = $"/admin/v1/prompts/{name}/evals";
        var newer = calls is null
            ? Run(2, 1, verdict, "accuracy").Replace($"\"calls\": {CompleteCalls},", "", StringComparison.Ordinal)
            : Run(2, 1, verdict, calls: calls);

        (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        (await _author.PostAsync(evals, newer)).Expect(HttpStatusCode.Created);
        var refused = await _operator.ReleaseAsync(name, "production", "canary", """{"version":2,"weight":1000}""");

        var message = Message(refused.Expect(HttpStatusCode.Forbidden));
        Assert.Contains("An older run passed, but the newest decides", message, StringComparison.Ordinal);
        Assert.Contains($"is '{verdict}'", message, StringComparison.Ordinal);
        if (calls == BrokenCandidateCalls)
        {
            Assert.Contains("the candidate's calls failed (40/40 baseline, 10/40 candidate calls succeeded)", message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(BrokenBaselineCalls)]
    [InlineData(CompleteCalls)]
    public async Task An_incomplete_run_that_does_not_fail_still_leaves_the_older_pass_standing(string calls)
    {
        // The baseline's calls broke (the gateway, the provider), or no call failed and the judge did (scoring errors,
        // which the counts the server reads leave out): nothing about the candidate.
        var name = await GatedSecondVersionAsync("evals-incomplete-baseline");
        var evals = $"/admin/v1/prompts/{name}/evals";

        (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        (await _author.PostAsync(evals, Run(2, 1, "incomplete", calls: calls))).Expect(HttpStatusCode.Created);
        var admitted = await _operator.ReleaseAsync(name, "production", "canary", """{"version":2,"weight":1000}""");

        Assert.Equal(2, admitted.Expect(HttpStatusCode.OK).Json.GetProperty("canary").GetInt32());
    }

    [Fact]
    public async Task Promote_checks_the_evaluation_gate_again()
    {
        // A canary started on a pass; a newer run failed: the weight cannot grow, and neither can promote take it to all.
        var name = await GatedSecondVersionAsync("evals-promote");
        var evals = $"/admin/v1/prompts/{name}/evals";
        (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        (await _operator.ReleaseAsync(name, "production", "canary", """{"version":2,"weight":1000}""")).Expect(HttpStatusCode.OK);
        (await _author.PostAsync(evals, Run(2, 1, "fail", "accuracy"))).Expect(HttpStatusCode.Created);

        var promote = await _operator.ReleaseAsync(name, "production", "promote", "{}");

        Assert.Equal("eval_gate_required", promote.Expect(HttpStatusCode.Forbidden).Json.GetProperty("error").GetProperty("code").GetString());
        var release = (await _viewer.GetAsync($"/admin/v1/prompts/{name}/releases/production")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal((1, 2), (release.GetProperty("stable").GetInt32(), release.GetProperty("canary").GetInt32()));

        (await _author.PostAsync(evals, Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
        var promoted = (await _operator.ReleaseAsync(name, "production", "promote", "{}")).Expect(HttpStatusCode.OK).Json;
        Assert.Equal(2, promoted.GetProperty("stable").GetInt32());
    }

    [Fact]
    public async Task Thresholds_that_are_not_numbers_are_refused_at_push()
    {
        var name = Bundles.UniqueName("evals-thresholds");

        var response = await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support.", """, "eval": { "thresholds": { "accuracy": "high" } }"""));

        var error = response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Contains("eval.thresholds", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _author.Dispose();
        _approver.Dispose();
        _operator.Dispose();
        _viewer.Dispose();
    }

    private static string Message(AdminResponse response) => response.Json.GetProperty("error").GetProperty("message").GetString()!;

    private static void AssertInvalid(AdminResponse response, string param)
    {
        var error = response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    private static string Thresholds(int candidate, string verdict, double measured, double threshold, string calls, string metricVerdict = "unchanged") => $$"""
        {
          "mode": "thresholds",
          "candidate": { "version": {{candidate}} },
          "thresholds": { "accuracy": {{threshold}} },
          "calls": {{calls}},
          "metrics": [ { "name": "accuracy", "baseline": {{threshold}}, "candidate": {{measured}}, "verdict": "{{metricVerdict}}", "n": 30, "gated": true } ],
          "verdict": "{{verdict}}"
        }
        """;

    private const string BrokenCandidateCalls = """{"baseline":{"total":40,"failed":0},"candidate":{"total":40,"failed":30},"max_error_rate":0.02}""";

    private const string BrokenBaselineCalls = """{"baseline":{"total":40,"failed":30},"candidate":{"total":40,"failed":0},"max_error_rate":0.02}""";

    private const string CompleteCalls = """{"baseline":{"total":40,"failed":0},"candidate":{"total":40,"failed":0},"max_error_rate":0.02}""";

    /// <summary>A prompt whose v1 serves production and whose approved v2 requires a passing run (by default, no dataset named).</summary>
    private async Task<string> GatedSecondVersionAsync(string prefix, string eval = """{ "gate_required": true }""")
    {
        var name = Bundles.UniqueName(prefix);
        (await _author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        (await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief.", $$""", "eval": {{eval}}"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/2/approve")).Expect(HttpStatusCode.OK);
        return name;
    }

    [Fact]
    public async Task A_run_larger_than_a_summary_is_refused_so_listings_stay_small()
    {
        var name = Bundles.UniqueName("evals-size");
        (await _author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief."))).Expect(HttpStatusCode.Created);

        var refused = await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(2, 1, "pass", dataset: new string('d', 70_000)));

        Assert.Equal("eval_run_too_large", refused.Expect(HttpStatusCode.BadRequest).ErrorCode);
        Assert.Empty((await _viewer.GetAsync($"/admin/v1/prompts/{name}/evals")).Expect(HttpStatusCode.OK).Json.EnumerateArray());
        (await _author.PostAsync($"/admin/v1/prompts/{name}/evals", Run(2, 1, "pass"))).Expect(HttpStatusCode.Created);
    }

    private static string Run(int candidate, int baseline, string verdict, string? regressed = null, string? id = null, string dataset = "golden.jsonl", string calls = CompleteCalls, char sha = 'a') => $$"""
        {
          {{(id is null ? "" : $"\"id\":\"{id}\",")}}
          "calls": {{calls}},
          "candidate": { "version": {{candidate}} },
          "baseline": { "version": {{baseline}}, "environment": "production" },
          "datasets": [ { "id": "{{dataset}}", "sha256": "{{new string(sha, 64)}}" } ],
          "metrics": [ { "name": "{{regressed ?? "pass_rate"}}", "baseline": 0.9, "candidate": 0.8, "delta": -0.1, "ci_low": -0.15, "ci_high": -0.05,
                         "verdict": "{{(regressed is null ? "unchanged" : "regressed")}}", "n": 40, "gated": true } ],
          "verdict": "{{verdict}}",
          "cost_usd": 0.0123,
          "git_sha": "abc123"
        }
        """;
}
