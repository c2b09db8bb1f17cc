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
    }

    [Fact]
    public async Task A_gated_version_enters_production_only_with_a_passing_run_against_the_current_stable()
    {
        var name = Bundles.UniqueName("evals-gate");
        (await _author.PushAsync(Bundles.Json(name))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/1/approve")).Expect(HttpStatusCode.OK);
        (await _operator.ReleaseAsync(name, "production", "set", """{"version":1}""")).Expect(HttpStatusCode.OK);
        (await _author.PushAsync(Bundles.Json(name, "You are {{ company }} support. Be brief.", """, "eval": { "dataset": "datasets/golden.jsonl", "gate_required": true }"""))).Expect(HttpStatusCode.Created);
        (await _approver.PostAsync($"/admin/v1/prompts/{name}/versions/2/approve")).Expect(HttpStatusCode.OK);
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

    private static string Run(int candidate, int baseline, string verdict, string? regressed = null, string? id = null, string dataset = "golden.jsonl") => $$"""
        {
          {{(id is null ? "" : $"\"id\":\"{id}\",")}}
          "candidate": { "version": {{candidate}} },
          "baseline": { "version": {{baseline}}, "environment": "production" },
          "datasets": [ { "id": "{{dataset}}", "sha256": "{{new string('a', 64)}}" } ],
          "metrics": [ { "name": "{{regressed ?? "pass_rate"}}", "baseline": 0.9, "candidate": 0.8, "delta": -0.1, "ci_low": -0.15, "ci_high": -0.05,
                         "verdict": "{{(regressed is null ? "unchanged" : "regressed")}}", "n": 40, "gated": true } ],
          "verdict": "{{verdict}}",
          "cost_usd": 0.0123,
          "git_sha": "abc123"
        }
        """;
}
