using System.Net;
using System.Text.Json;
using LlmGateway.Cli.Behaviour;
using LlmGateway.Cli.Tests.Infrastructure;
using LlmGateway.Contracts.Behaviour;

namespace LlmGateway.Cli.Tests.Behaviour;

/// <summary><c>gatewayctl behaviour changes &lt;prompt&gt;</c> in-process, against canned admin API answers.</summary>
public sealed class BehaviourChangesCommandTests
{
    private const string Changes = """
        {"prompt":"support-bot","environment":"production","changes":[
          {"id":"chg_0002","prompt":"support-bot","environment":"production","metric":"refusal","direction":"increase",
           "before":0.02,"after":0.11,"difference":0.09,"ci_low":0.05,"ci_high":0.13,"samples_before":480,"samples_after":95,
           "window_start":"2026-11-29T13:05:00Z","window_end":"2026-11-29T13:06:00Z","detected_at":"2026-11-29T13:09:00Z",
           "statistic":6.2,"threshold":5,
           "nearest_activation":{"id":"evt_41","at":"2026-11-29T13:04:12Z","action":"canary-start","actor":"alice","reason":"try v3","version":3,"seconds_before":48},
           "arms":[{"version":2,"variant":"stable","before":0.02,"after":0.02,"samples_before":480,"samples_after":60},
                   {"version":3,"variant":"canary","before":null,"after":0.26,"samples_before":0,"samples_after":35}]},
          {"id":"chg_0001","prompt":"support-bot","environment":"production","metric":"output_tokens","direction":"decrease",
           "before":412.3,"after":388,"difference":-24.3,"ci_low":-31.04,"ci_high":-17.5,"samples_before":1200,"samples_after":300,
           "window_start":"2026-11-28T09:00:00Z","window_end":"2026-11-28T09:01:00Z","detected_at":"2026-11-28T09:03:30Z",
           "statistic":5.5,"threshold":5,"nearest_activation":null}
        ]}
        """;

    [Fact]
    public async Task Each_change_says_what_moved_when_and_the_nearest_activation()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Changes);

        var run = await api.RunAsync("behaviour", "changes", "support-bot");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/prompts/support-bot/behaviour/changes", api.OnlyPathAndQuery);
        var expected = """
            support-bot in production: 2 changes detected, newest first.

            refusal ↑ increase: 0.02 → 0.11 (+0.09, 95% CI +0.05 to +0.13)
              window:              2026-11-29 13:05:00Z to 2026-11-29 13:06:00Z
              samples:             480 before, 95 after
              by arm:              v2 stable  0.02 → 0.02  (480 → 60 samples)
                                   v3 canary  - → 0.26     (0 → 35 samples)
              detected:            2026-11-29 13:09:00Z (statistic 6.2, threshold 5)
              nearest activation:  canary-start v3 by alice at 2026-11-29 13:04:12Z (try v3), 48s before
              id:                  chg_0002

            output_tokens ↓ decrease: 412.3 → 388 (-24.3, 95% CI -31.04 to -17.5)
              window:              2026-11-28 09:00:00Z to 2026-11-28 09:01:00Z
              samples:             1200 before, 300 after
              by arm:              -
              detected:            2026-11-28 09:03:30Z (statistic 5.5, threshold 5)
              nearest activation:  none: no activation before or just after this change
              id:                  chg_0001

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), run.Out);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task The_flags_go_into_the_query_string()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Changes);

        var run = await api.RunAsync("behaviour", "changes", "support-bot", "-e", "staging", "--metric", "judge:tone", "--limit", "5");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/prompts/support-bot/behaviour/changes?environment=staging&metric=judge%3Atone&limit=5", api.OnlyPathAndQuery);
    }

    [Fact]
    public async Task Json_prints_the_gateways_answer_as_it_is()
    {
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, Changes).RunAsync("--json", "behaviour", "changes", "support-bot");

        using var json = JsonDocument.Parse(run.AssertExit(0).Out);
        using var original = JsonDocument.Parse(Changes);
        Assert.True(JsonElement.DeepEquals(original.RootElement, json.RootElement));
    }

    [Theory]
    [InlineData(new string[0], "No change detected in any metric for support-bot in production.\n")]
    [InlineData(new[] { "--metric", "refusal" }, "No change detected in refusal for support-bot in production.\n")]
    public async Task No_change_says_so_in_one_line(string[] flags, string expected)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, """{"prompt":"support-bot","environment":"production","changes":[]}""");

        var run = await api.RunAsync(["behaviour", "changes", "support-bot", .. flags]);

        Assert.Equal(expected, run.AssertExit(0).Out);
    }

    [Theory]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "many")]
    public async Task Bad_flags_are_usage_errors_and_send_nothing(params string[] flags)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Changes);

        var run = await api.RunAsync(["behaviour", "changes", "support-bot", .. flags]);

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
        Assert.Contains("(usage_error)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_without_a_prompt_is_a_usage_error()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Changes);

        var run = await api.RunAsync("behaviour", "changes");

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task An_unknown_prompt_is_refused_with_the_gateways_message_and_code()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.NotFound, "No prompt 'nope'.", "invalid_request_error", "prompt_not_found"));

        var run = await api.RunAsync("behaviour", "changes", "nope");

        run.AssertExit(ExitCodes.Refused);
        Assert.Empty(run.Out);
        Assert.Equal("error: No prompt 'nope'. (prompt_not_found)" + Environment.NewLine, run.Err);
    }

    [Theory]
    [InlineData(0, "canary-start v3 by alice at 2026-11-29 13:04:12Z, inside the window")]
    [InlineData(3720.4, "canary-start v3 by alice at 2026-11-29 13:04:12Z, 3720s (1h 2m) before")]
    public void An_activation_inside_the_window_or_long_before_reads_as_such(double secondsBefore, string expected)
    {
        var activation = new NearestActivation
        {
            Id = "evt_41",
            At = new DateTimeOffset(2026, 11, 29, 13, 4, 12, TimeSpan.Zero),
            Action = "canary-start",
            Actor = "alice",
            Version = 3,
            SecondsBefore = secondsBefore,
        };

        Assert.Equal(expected, BehaviourChangesRenderer.Activation(activation));
        Assert.Equal("external-change by ops at 2026-11-29 13:04:12Z (hotfix), 48s before", BehaviourChangesRenderer.Activation(
            activation with { Action = "external-change", Actor = "ops", Version = null, Reason = "hotfix", SecondsBefore = 48 }));
        // The change's minute is an estimate: its cause can come just after it.
        Assert.Equal("canary-start v3 by alice at 2026-11-29 13:04:12Z, 30s after", BehaviourChangesRenderer.Activation(
            activation with { SecondsBefore = 0, SecondsAfter = 30 }));
    }

    [Fact]
    public void Each_arm_reads_on_its_own_line_with_its_levels_and_samples()
    {
        var arms = new[]
        {
            new BehaviourChangeArm { Version = 1, Variant = "stable", Before = 0.02, After = 0.021, SamplesBefore = 1200, SamplesAfter = 300 },
            new BehaviourChangeArm { Version = 2, Variant = "canary", Before = null, After = 0.31, SamplesBefore = 0, SamplesAfter = 640 },
        };

        Assert.Equal(
            "v1 stable  0.02 → 0.021  (1200 → 300 samples)\nv2 canary  - → 0.31      (0 → 640 samples)",
            BehaviourChangesRenderer.ByArm(arms));
        Assert.Null(BehaviourChangesRenderer.ByArm(null));
    }
}
