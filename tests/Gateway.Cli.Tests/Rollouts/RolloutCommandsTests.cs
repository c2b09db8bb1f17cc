using System.Net;
using System.Text.Json;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Rollouts;

/// <summary><c>gatewayctl rollout start</c> and the controls, through the real command tree, against canned answers.</summary>
public sealed class RolloutCommandsTests : IDisposable
{
    private const string PlanYaml = """
        # Shadow first, then a small canary.
        steps:
          - shadow: true
            share: 0.05
            min_duration: 10m
          - weight: 5
            min_duration: 5m
            min_samples: 500
          - weight: 100
        metrics:
          - metric: error
            direction: lower
            threshold: 0.02
          - metric: latency_ms
            direction: lower
            threshold: 0.20
            relative: true
            abort: false
        on_inconclusive: pause
        sampling:
          stable: 0.05
          canary: 1
        """;

    private const string PlanJson = """
        {"steps":[{"shadow":true,"share":0.05,"min_duration":"10m"},{"weight":5,"min_duration":"5m","min_samples":500},{"weight":100}],
         "metrics":[{"metric":"error","direction":"lower","threshold":0.02},
                    {"metric":"latency_ms","direction":"lower","threshold":0.2,"relative":true,"abort":false}],
         "on_inconclusive":"pause","sampling":{"stable":0.05,"canary":1}}
        """;

    private const string ExpectedPlanBody =
        """{"steps":[{"shadow":true,"share":0.05,"min_duration":"10m"},{"weight":5,"min_duration":"5m","min_samples":500},{"weight":100}],"metrics":[{"metric":"error","direction":"lower","threshold":0.02},{"metric":"latency_ms","direction":"lower","threshold":0.2,"relative":true,"abort":false}],"on_inconclusive":"pause","sampling":{"stable":0.05,"canary":1}}""";

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("gatewayctl-rollout-tests-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public async Task Start_without_a_plan_posts_the_version_and_reason_and_shows_the_rollout()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.Created, RolloutViews.Running);

        var run = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "v4", "--reason", "shorter apologies");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Post, api.Requests[0].Method);
        Assert.Equal("/admin/v1/prompts/support-bot/rollouts/production", api.OnlyPathAndQuery);
        Assert.Equal("application/json", api.Requests[0].Content?.Headers.ContentType?.ToString());
        Assert.Equal("""{"version":4,"reason":"shorter apologies"}""", api.Bodies[0]);
        var lines = run.Out.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("Started rolling out v4 in production against v3.", lines[0]);
        Assert.Equal("support-bot in production: v4 (candidate) against v3 (baseline)", lines[1]);
        Assert.Contains("  step:          2/4, weight 5%", lines);
        Assert.Empty(run.Err);
    }

    [Theory]
    [InlineData("plan.yaml", PlanYaml)]
    [InlineData("plan.yml", PlanYaml)]
    [InlineData("plan.json", PlanJson)]
    public async Task Start_with_a_plan_file_sends_the_plan_yaml_or_json_alike(string file, string content)
    {
        var path = Path.Combine(directory.FullName, file);
        await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);
        var api = FakeAdminApi.Answering(HttpStatusCode.Created, RolloutViews.Running);

        var run = await api.RunAsync("rollout", "start", "support bot", "-e", "eu prod", "--version", "4", "--plan", path);

        run.AssertExit(0);
        Assert.Equal("/admin/v1/prompts/support%20bot/rollouts/eu%20prod", api.OnlyPathAndQuery);
        Assert.Equal("""{"version":4,"plan":""" + ExpectedPlanBody + "}", api.Bodies[0]);
    }

    [Fact]
    public async Task Json_prints_the_started_rollout_as_the_gateway_sent_it()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.Created, RolloutViews.Running);

        var run = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "4", "--json");

        using var printed = JsonDocument.Parse(run.AssertExit(0).Out);
        using var original = JsonDocument.Parse(RolloutViews.Running);
        Assert.True(JsonElement.DeepEquals(original.RootElement, printed.RootElement));
    }

    [Theory]
    [InlineData("steps:\n  - weight: 5\n    min_sample: 500\n", "plan.steps[0].min_sample is not a field of a step; the fields are weight, shadow, share, min_duration, min_samples, min_units, max_duration.")]
    [InlineData("steps:\n  - weight: ten\n", "plan.steps[0].weight must be a number, not the text \"ten\".")]
    [InlineData("steps:\n  - weight: 5\n    min_duration: 30\n", "plan.steps[0].min_duration must be a duration such as 30s, 5m or 1h, not the number 30.")]
    [InlineData("steps:\n  - weight: 5\n    min_samples: 1.5\n", "plan.steps[0].min_samples must be a whole number, not the number 1.5.")]
    [InlineData("metrics:\n  - metric: error\n    relative: yes\n", "plan.metrics[0].relative must be true or false, not the text \"yes\".")]
    [InlineData("rollout:\n  steps: []\n", "plan.rollout is not a field of a plan; the fields are steps, metrics, on_inconclusive, sampling.")]
    [InlineData("steps: 5\n", "plan.steps must be a list, not the number 5.")]
    [InlineData("steps:\n  - weight: 1e400\n", "plan.steps[0].weight must be a number, not the number 1e400.")]
    [InlineData("- weight: 5\n", "plan must be a mapping of steps, metrics, on_inconclusive, sampling, not a list.")]
    [InlineData("sampling:\n  stabel: 0.1\n", "plan.sampling.stabel is not a field of the sampling; the fields are stable, canary.")]
    [InlineData("sampling:\n  stable: often\n", "plan.sampling.stable must be a number, not the text \"often\".")]
    public async Task A_plan_that_is_not_a_plan_is_a_usage_error_named_by_its_path_and_nothing_is_sent(string yaml, string expected)
    {
        var path = Path.Combine(directory.FullName, "plan.yaml");
        await File.WriteAllTextAsync(path, yaml, TestContext.Current.CancellationToken);
        var api = FakeAdminApi.Answering(HttpStatusCode.Created, RolloutViews.Running);

        var run = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "4", "--plan", path);

        run.AssertExit(2);
        Assert.Empty(api.Requests);
        Assert.Empty(run.Out);
        Assert.Equal($"error: {path}: {expected} (invalid_plan)\n", run.Err.ReplaceLineEndings("\n"));
    }

    // Two min_samples in one step: the last would be sent unseen, where the same plan in YAML is refused.
    [Fact]
    public void A_json_plan_with_a_key_given_twice_is_refused_naming_the_key()
    {
        var error = Assert.Throws<UsageException>(() => LlmGateway.Cli.Rollouts.RolloutPlanFile.Parse(
            "plan.json", """{"steps":[{"weight":5,"min_samples":500,"min_samples":5}]}"""));

        Assert.Equal("invalid_json", error.Code);
        Assert.StartsWith("plan.json: invalid JSON: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'min_samples'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plan.yaml", "steps: [\n", "invalid_yaml")]
    [InlineData("plan.json", "{\"steps\": [", "invalid_json")]
    [InlineData("plan.json", "{\"steps\":[{\"weight\":5,\"min_samples\":500,\"min_samples\":5}]}", "invalid_json")]
    [InlineData("plan.yaml", "steps:\n  - weight: 5\n    min_samples: 500\n    min_samples: 5\n", "invalid_yaml")]
    [InlineData("missing.yaml", null, "file_not_found")]
    public async Task An_unreadable_plan_file_is_a_usage_error_and_nothing_is_sent(string file, string? content, string code)
    {
        var path = Path.Combine(directory.FullName, file);
        if (content is not null)
        {
            await File.WriteAllTextAsync(path, content, TestContext.Current.CancellationToken);
        }

        var api = FakeAdminApi.Answering(HttpStatusCode.Created, RolloutViews.Running);

        var run = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "4", "--plan", path);

        run.AssertExit(2);
        Assert.Empty(api.Requests);
        Assert.StartsWith($"error: {path}: ", run.Err, StringComparison.Ordinal);
        Assert.EndsWith($"({code}){Environment.NewLine}", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plan_the_gateway_refuses_names_the_field_and_exits_1()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(
            HttpStatusCode.BadRequest, "A step's weight must be above 0 and at most 100.", "invalid_request_error", "invalid_plan", "plan.steps[2].weight"));

        var run = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "4");

        run.AssertExit(1);
        Assert.Empty(run.Out);
        Assert.Equal(
            "error: A step's weight must be above 0 and at most 100. (invalid_plan)\n  param: plan.steps[2].weight\n",
            run.Err.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict, 1)]
    [InlineData(HttpStatusCode.NotFound, 1)]
    [InlineData(HttpStatusCode.Unauthorized, 4)]
    [InlineData(HttpStatusCode.InternalServerError, 3)]
    public async Task Gateway_errors_map_to_the_exit_codes(HttpStatusCode status, int exit)
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(status, "No.", "invalid_request_error", "some_code"));

        var start = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "4");
        var control = await api.RunAsync("rollout", "pause", "support-bot", "--env", "production");

        start.AssertExit(exit);
        control.AssertExit(exit);
        Assert.Empty(start.Out);
        Assert.Contains("(some_code)", start.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rollout_already_running_is_a_conflict()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(
            HttpStatusCode.Conflict, "A rollout of v4 is already running in production.", "invalid_request_error", "rollout_running"));

        var run = await api.RunAsync("rollout", "start", "support-bot", "--env", "production", "--version", "5");

        run.AssertExit(1);
        Assert.Equal("error: A rollout of v4 is already running in production. (rollout_running)\n", run.Err.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("rollout start support-bot --version 4")]
    [InlineData("rollout start support-bot --env production")]
    [InlineData("rollout start support-bot --env production --version four")]
    [InlineData("rollout status support-bot")]
    [InlineData("rollout abort support-bot")]
    [InlineData("rollout skip-step --env production")]
    public async Task Missing_or_bad_flags_are_usage_errors_and_nothing_is_sent(string commandLine)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Running);

        var run = await api.RunAsync(commandLine.Split(' '));

        run.AssertExit(2);
        Assert.Empty(api.Requests);
        Assert.Empty(run.Out);
    }

    [Theory]
    [InlineData("pause", "Paused the rollout of v4 at step 2/4, weight 5%.")]
    [InlineData("resume", "Resumed the rollout of v4 at step 2/4, weight 5%.")]
    [InlineData("abort", "Aborted the rollout of v4; all traffic goes to v3.")]
    [InlineData("skip-step", "Skipped to step 2/4, weight 5%.")]
    public async Task Each_control_posts_its_reason_to_its_route_and_shows_the_rollout(string control, string headline)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Running);

        var run = await api.RunAsync("rollout", control, "support-bot", "--env", "production", "--reason", "looks off");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Post, api.Requests[0].Method);
        Assert.Equal($"/admin/v1/prompts/support-bot/rollouts/production/{control}", api.OnlyPathAndQuery);
        Assert.Equal("""{"reason":"looks off"}""", api.Bodies[0]);
        var lines = run.Out.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(headline, lines[0]);
        Assert.Equal("support-bot in production: v4 (candidate) against v3 (baseline)", lines[1]);
    }

    [Fact]
    public async Task A_control_without_a_reason_sends_an_empty_object_and_json_prints_the_answer()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, RolloutViews.Aborted);

        var run = await api.RunAsync("rollout", "abort", "support-bot", "-e", "production", "--json");

        run.AssertExit(0);
        Assert.Equal("{}", api.Bodies[0]);
        using var printed = JsonDocument.Parse(run.Out);
        Assert.Equal("aborted", printed.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Skipping_the_last_step_says_the_candidate_is_promoted()
    {
        var promoted = RolloutViews.Running.Replace("\"status\":\"running\"", "\"status\":\"promoted\"", StringComparison.Ordinal);
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, promoted);

        var run = await api.RunAsync("rollout", "skip-step", "support-bot", "--env", "production");

        run.AssertExit(0);
        Assert.StartsWith("Skipped the last step: v4 is promoted." + Environment.NewLine, run.Out, StringComparison.Ordinal);
    }
}
