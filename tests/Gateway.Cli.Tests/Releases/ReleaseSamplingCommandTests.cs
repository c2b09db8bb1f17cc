using System.Net;
using System.Text.Json;
using LlmGateway.Cli.Tests.Infrastructure;

namespace LlmGateway.Cli.Tests.Releases;

/// <summary><c>gatewayctl release sampling</c> (and the sampling line of every release view) in-process, against canned admin API answers.</summary>
public sealed class ReleaseSamplingCommandTests
{
    private const string WithPolicy = """
        {"prompt":"support-bot","environment":"production","stable":2,"canary":3,"canary_weight":1000,"stickiness":"auto","salt":"s1",
         "sampling":{"stable":0.05,"canary":0.5,"floor_per_hour":100},"previous_stable":1,"revision":5,"updated_at":"2026-11-29T13:11:54Z","actor":"alice"}
        """;

    private const string WithDefaults = """
        {"prompt":"support-bot","environment":"production","stable":2,"canary":null,"canary_weight":0,"stickiness":"auto","salt":"s1",
         "sampling":null,"previous_stable":1,"revision":6,"updated_at":"2026-11-29T13:12:00Z","actor":"alice"}
        """;

    [Fact]
    public async Task Sampling_puts_the_rates_and_floor_and_prints_the_release()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, WithPolicy);

        var run = await api.RunAsync(
            "release", "sampling", "support-bot", "--env", "production", "--stable", "0.05", "--canary", "50%", "--floor", "100", "--reason", "compare arms", "--revision", "4");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Put, api.Requests[0].Method);
        Assert.Equal("/admin/v1/prompts/support-bot/releases/production/sampling", api.OnlyPathAndQuery);
        Assert.Equal("application/json", api.Requests[0].Content?.Headers.ContentType?.ToString());
        Assert.Equal("""{"sampling":{"stable":0.05,"canary":0.5,"floor_per_hour":100},"reason":"compare arms","revision":4}""", api.Bodies[0]);
        var expected = """
            Sampling set: stable 5%, canary 50%, floor 100/h.
            support-bot in production (revision 5)
              stable:           v2
              canary:           v3 at 10% (1000 bps)
              previous stable:  v1
              stickiness:       auto
              sampling:         stable 5%, canary 50%, floor 100/h
              updated:          2026-11-29 13:11:54Z by alice

            """;
        Assert.Equal(expected.ReplaceLineEndings(Environment.NewLine), run.Out.ReplaceLineEndings(Environment.NewLine));
        Assert.Empty(run.Err);
    }

    [Theory]
    [InlineData("--canary", "5%", """{"sampling":{"canary":0.05}}""", "Sampling set: stable default, canary 5%, floor default.")]
    [InlineData("--stable", "0.001", """{"sampling":{"stable":0.001}}""", "Sampling set: stable 0.1%, canary default, floor default.")]
    [InlineData("--floor", "0", """{"sampling":{"floor_per_hour":0}}""", "Sampling set: stable default, canary default, floor 0/h.")]
    public async Task Rates_left_out_are_left_out_of_the_policy_for_the_gateways_defaults(string option, string value, string expectedBody, string expectedHeadline)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, WithPolicy);

        var run = await api.RunAsync("release", "sampling", "support-bot", "-e", "production", option, value);

        run.AssertExit(0);
        Assert.Equal(expectedBody, api.Bodies.Single());
        Assert.StartsWith(expectedHeadline + Environment.NewLine, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_sends_a_null_policy_and_shows_the_defaults()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, WithDefaults);

        var run = await api.RunAsync("release", "sampling", "support-bot", "--env", "production", "--reset", "--reason", "done comparing");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Put, api.Requests[0].Method);
        Assert.Equal("/admin/v1/prompts/support-bot/releases/production/sampling", api.OnlyPathAndQuery);
        Assert.Equal("""{"sampling":null,"reason":"done comparing"}""", api.Bodies[0]);
        Assert.StartsWith("Sampling is back to the configured defaults." + Environment.NewLine, run.Out, StringComparison.Ordinal);
        Assert.Contains("  sampling:         defaults" + Environment.NewLine, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_prints_the_release_as_the_gateway_sent_it()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, WithPolicy);

        var run = await api.RunAsync("--json", "release", "sampling", "support-bot", "--env", "production", "--canary", "0.5");

        using var json = JsonDocument.Parse(run.AssertExit(0).Out);
        using var original = JsonDocument.Parse(WithPolicy);
        Assert.True(JsonElement.DeepEquals(original.RootElement, json.RootElement));
    }

    [Theory]
    [InlineData(WithPolicy, "stable 5%, canary 50%, floor 100/h")]
    [InlineData(WithDefaults, "defaults")]
    public async Task Release_show_includes_the_sampling_policy(string release, string expected)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, release);

        var run = await api.RunAsync("release", "show", "support-bot", "--env", "production");

        run.AssertExit(0);
        Assert.Equal(HttpMethod.Get, api.Requests[0].Method);
        Assert.Contains("  sampling:         " + expected + Environment.NewLine, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_show_includes_a_running_rollouts_sampling()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, """
            {"prompt":"bot","environment":"staging","stable":1,"canary":2,"canary_weight":500,"sampling":null,
             "rollout_sampling":{"stable":1,"canary":1},"revision":3}
            """);

        var run = await api.RunAsync("release", "show", "bot", "--env", "staging");

        Assert.Contains(
            "  rollout sampling:  stable 100%, canary 100% (the rollout's plan; each arm at least this)" + Environment.NewLine,
            run.AssertExit(0).Out,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_show_in_a_shadow_step_says_the_rollouts_sampling_is_still_to_come()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, """
            {"prompt":"bot","environment":"staging","stable":1,"canary":2,"canary_weight":0,"shadow_share":10000,"sampling":null,
             "rollout_sampling":{"stable":1,"canary":1},"revision":3}
            """);

        var run = await api.RunAsync("release", "show", "bot", "--env", "staging");

        Assert.Contains(
            "  rollout sampling:  stable 100%, canary 100% from its first weight step (a shadow step keeps the usual rates)" + Environment.NewLine,
            run.AssertExit(0).Out,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_release_without_a_sampling_field_shows_the_defaults()
    {
        // A gateway from before per-release sampling sends no such field.
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, """{"prompt":"bot","environment":"staging","stable":1,"canary_weight":0,"revision":1}""");

        var run = await api.RunAsync("release", "show", "bot", "--env", "staging");

        Assert.Contains("  sampling:         defaults" + Environment.NewLine, run.AssertExit(0).Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--canary", "2")]
    [InlineData("--canary", "50")]
    [InlineData("--stable", "101%")]
    [InlineData("--stable", "-0.1")]
    [InlineData("--stable", "often")]
    [InlineData("--floor", "-1")]
    [InlineData("--floor", "1.5")]
    [InlineData("--reset", "--canary", "5%")]
    [InlineData("--reset", "--floor", "10")]
    [InlineData("--reason", "nothing to set")]
    [InlineData("--revision", "three", "--canary", "5%")]
    public async Task Bad_flags_are_usage_errors_and_send_nothing(params string[] args)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, WithPolicy);

        var run = await api.RunAsync(["release", "sampling", "support-bot", "--env", "production", .. args]);

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
        Assert.Empty(run.Out);
        Assert.Contains("(usage_error)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_environment_is_required()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, WithPolicy);

        var run = await api.RunAsync("release", "sampling", "support-bot", "--canary", "5%");

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
        Assert.Contains("--env", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_out_of_range_rate_says_how_to_write_a_percentage()
    {
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, WithPolicy).RunAsync("release", "sampling", "bot", "--env", "staging", "--canary", "2");

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith(
            "error: --canary 2 is out of range: a rate runs from 0 to 1 (0.05 = 5%); for a percentage write 2%. (usage_error)" + Environment.NewLine,
            run.Err,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_the_gateway_refuses_is_reported_with_its_parameter()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.BadRequest, "'canary' must be a rate from 0 to 1.", "invalid_request_error", null, "sampling.canary"));

        var run = await api.RunAsync("release", "sampling", "bot", "--env", "staging", "--canary", "0.5");

        run.AssertExit(ExitCodes.Refused);
        Assert.Empty(run.Out);
        Assert.Contains("error: 'canary' must be a rate from 0 to 1. (invalid_request_error)", run.Err, StringComparison.Ordinal);
        Assert.Contains("  param: sampling.canary", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Conflict, "no_release", "'bot' has no release in 'staging'; set one before its sampling policy.")]
    [InlineData(HttpStatusCode.Conflict, "revision_conflict", "The release changed since revision 4.")]
    [InlineData(HttpStatusCode.NotFound, "prompt_not_found", "No prompt 'bot'.")]
    [InlineData(HttpStatusCode.Forbidden, "insufficient_role", "Needs the operator role.")]
    public async Task Refusals_exit_1_with_the_gateways_message_and_code(HttpStatusCode status, string code, string message)
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(status, message, "invalid_request_error", code));

        var run = await api.RunAsync("release", "sampling", "bot", "--env", "staging", "--reset", "--revision", "4");

        run.AssertExit(ExitCodes.Refused);
        Assert.Empty(run.Out);
        Assert.Equal($"error: {message} ({code})" + Environment.NewLine, run.Err);
        Assert.Equal("""{"sampling":null,"revision":4}""", api.Bodies.Single());
    }
}
