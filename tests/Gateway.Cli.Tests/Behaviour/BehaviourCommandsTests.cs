using System.Net;
using System.Text.Json;
using LlmGateway.Cli.Behaviour;
using LlmGateway.Cli.Tests.Infrastructure;
using LlmGateway.Contracts.Behaviour;

namespace LlmGateway.Cli.Tests.Behaviour;

/// <summary><c>gatewayctl behaviour &lt;prompt&gt;</c> in-process, against canned admin API answers.</summary>
public sealed class BehaviourCommandsTests
{
    private const string Series = """
        {"prompt":"support-bot","environment":"production","from":"2026-11-29T12:00:00Z","to":"2026-11-29T12:05:00Z","step_seconds":60,
         "group_by":["version","variant"],
         "series":[
          {"metric":"output_tokens","kind":"value","version":3,"variant":"stable",
           "points":[
            {"at":"2026-11-29T12:00:00Z","count":10,"passes":0,"fails":0,"errors":0,"mean":100,"stddev":5,"pass_ratio":null},
            {"at":"2026-11-29T12:01:00Z","count":10,"passes":0,"fails":0,"errors":1,"mean":110,"stddev":5,"pass_ratio":null},
            {"at":"2026-11-29T12:02:00Z","count":0,"passes":0,"fails":0,"errors":0,"mean":null,"stddev":null,"pass_ratio":null},
            {"at":"2026-11-29T12:03:00Z","count":10,"passes":0,"fails":0,"errors":0,"mean":130,"stddev":5,"pass_ratio":null},
            {"at":"2026-11-29T12:04:00Z","count":10,"passes":0,"fails":0,"errors":0,"mean":170,"stddev":5,"pass_ratio":null}],
           "total":{"at":"2026-11-29T12:00:00Z","count":40,"passes":0,"fails":0,"errors":1,"mean":127.5,"stddev":27.1,"pass_ratio":null}},
          {"metric":"refusal","kind":"rate","version":3,"variant":"stable",
           "points":[
            {"at":"2026-11-29T12:00:00Z","count":10,"passes":10,"fails":0,"errors":0,"mean":0,"stddev":0,"pass_ratio":1},
            {"at":"2026-11-29T12:01:00Z","count":10,"passes":9,"fails":1,"errors":0,"mean":0.1,"stddev":0.3,"pass_ratio":0.9},
            {"at":"2026-11-29T12:02:00Z","count":0,"passes":0,"fails":0,"errors":0,"mean":null,"stddev":null,"pass_ratio":null},
            {"at":"2026-11-29T12:03:00Z","count":10,"passes":8,"fails":2,"errors":0,"mean":0.2,"stddev":0.4,"pass_ratio":0.8},
            {"at":"2026-11-29T12:04:00Z","count":10,"passes":6,"fails":4,"errors":0,"mean":0.4,"stddev":0.5,"pass_ratio":0.6}],
           "total":{"at":"2026-11-29T12:00:00Z","count":40,"passes":33,"fails":7,"errors":0,"mean":0.175,"stddev":0.38,"pass_ratio":0.825}},
          {"metric":"refusal","kind":"rate","version":4,"variant":"canary",
           "points":[
            {"at":"2026-11-29T12:00:00Z","count":0,"passes":0,"fails":0,"errors":0,"mean":null,"stddev":null,"pass_ratio":null},
            {"at":"2026-11-29T12:01:00Z","count":0,"passes":0,"fails":0,"errors":0,"mean":null,"stddev":null,"pass_ratio":null},
            {"at":"2026-11-29T12:02:00Z","count":0,"passes":0,"fails":0,"errors":0,"mean":null,"stddev":null,"pass_ratio":null},
            {"at":"2026-11-29T12:03:00Z","count":0,"passes":0,"fails":0,"errors":2,"mean":null,"stddev":null,"pass_ratio":null},
            {"at":"2026-11-29T12:04:00Z","count":0,"passes":0,"fails":0,"errors":0,"mean":null,"stddev":null,"pass_ratio":null}],
           "total":{"at":"2026-11-29T12:00:00Z","count":0,"passes":0,"fails":0,"errors":2,"mean":null,"stddev":null,"pass_ratio":null}}
         ]}
        """;

    [Fact]
    public async Task The_table_has_one_row_per_series_with_totals_and_a_sparkline()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Series);

        var run = await api.RunAsync("behaviour", "support-bot");

        run.AssertExit(0);
        Assert.Equal("/admin/v1/prompts/support-bot/behaviour", api.OnlyPathAndQuery);
        Assert.Equal("Bearer " + FakeAdminApi.Token, api.Requests[0].Headers.Authorization?.ToString());
        var expected = """
            support-bot in production, 2026-11-29 12:00:00Z to 2026-11-29 12:05:00Z, step 1m, by version and variant

            METRIC         VERSION  VARIANT  COUNT  MEAN   PASS   ERRORS  TREND
            output_tokens  v3       stable   40     127.5  -      1       ▁▂·▄█
            refusal        v3       stable   40     17.5%  82.5%  0       ▁▃·▅█
            refusal        v4       canary   0      -      -      2       ·····

            TREND: the mean per 1m, from ▁ (the row's lowest) to █ (its highest); · nothing scored.

            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), run.Out);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task Json_prints_the_gateways_answer_as_it_is()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Series);

        var run = await api.RunAsync("behaviour", "support-bot", "--json");

        using var json = JsonDocument.Parse(run.AssertExit(0).Out);
        using var original = JsonDocument.Parse(Series);
        Assert.True(JsonElement.DeepEquals(original.RootElement, json.RootElement));
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task Every_flag_goes_into_the_query_string()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Series);

        var run = await api.RunAsync(
            "behaviour", "support bot", "--env", "staging", "--metric", "refusal", "--metric", "output_tokens,judge:tone",
            "--by", "variant,version", "--from", "2026-11-29 12:00", "--to", "2026-11-29T14:30:00+02:00", "--step", "5m");

        run.AssertExit(0);
        Assert.Equal(
            "/admin/v1/prompts/support%20bot/behaviour?environment=staging&metric=refusal,output_tokens,judge%3Atone" +
            "&groupBy=version,variant&from=2026-11-29T12%3A00%3A00Z&to=2026-11-29T12%3A30%3A00Z&step=300",
            api.OnlyPathAndQuery);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("")]
    public async Task By_none_asks_for_all_arms_together_with_an_empty_group_by(string by)
    {
        var together = """
            {"prompt":"support-bot","environment":"production","from":"2026-11-29T12:00:00Z","to":"2026-11-29T12:02:00Z","step_seconds":60,"group_by":[],
             "series":[{"metric":"refusal","kind":"rate","version":null,"variant":null,
               "points":[{"at":"2026-11-29T12:00:00Z","count":4,"passes":4,"fails":0,"errors":0,"mean":0,"pass_ratio":1},
                         {"at":"2026-11-29T12:01:00Z","count":4,"passes":3,"fails":1,"errors":0,"mean":0.25,"pass_ratio":0.75}],
               "total":{"at":"2026-11-29T12:00:00Z","count":8,"passes":7,"fails":1,"errors":0,"mean":0.125,"pass_ratio":0.875}}]}
            """;
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, together);

        var run = await api.RunAsync("behaviour", "support-bot", "--by", by);

        run.AssertExit(0);
        Assert.Equal("/admin/v1/prompts/support-bot/behaviour?groupBy=", api.OnlyPathAndQuery);
        var lines = run.Out.Split('\n');
        Assert.EndsWith(", step 1m, all arms together", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^METRIC\s+COUNT\s+MEAN\s+PASS\s+ERRORS\s+TREND$", lines[2]);
        Assert.Matches(@"^refusal\s+8\s+12\.5%\s+87\.5%\s+0\s+▁█$", lines[3]);
    }

    [Fact]
    public async Task No_series_says_nothing_was_scored()
    {
        var empty = """{"prompt":"support-bot","environment":"production","from":"2026-11-29T12:00:00Z","to":"2026-11-29T13:00:00Z","step_seconds":60,"group_by":["version","variant"],"series":[]}""";

        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, empty).RunAsync("behaviour", "support-bot");

        Assert.Equal(
            "No behaviour recorded for support-bot in production from 2026-11-29 12:00:00Z to 2026-11-29 13:00:00Z: no sampled response was scored.\n",
            run.AssertExit(0).Out);
    }

    [Fact]
    public void Long_series_are_bucketed_down_and_the_legend_says_how_long_a_character_is()
    {
        var start = new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
        var points = Enumerable.Range(0, 180)
            .Select(i => new BehaviourPoint { At = start.AddMinutes(i), Count = 1, Mean = i })
            .ToArray();
        var response = new BehaviourResponse
        {
            Prompt = "support-bot",
            Environment = "production",
            From = start,
            To = start.AddHours(3),
            StepSeconds = 60,
            GroupBy = [],
            Series = [new BehaviourSeries { Metric = "latency_ms", Kind = "value", Points = points, Total = new BehaviourPoint { At = start, Count = 180, Mean = 89.5 } }],
        };

        var lines = BehaviourTableRenderer.Render(response, "support-bot").Split('\n');

        var row = Assert.Single(lines, line => line.StartsWith("latency_ms", StringComparison.Ordinal));
        var trend = row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Equal(Sparkline.DefaultWidth, trend.Length);
        Assert.StartsWith("▁", trend, StringComparison.Ordinal);
        Assert.EndsWith("█", trend, StringComparison.Ordinal);
        Assert.Contains("TREND: the mean per 3m,", lines[^2], StringComparison.Ordinal);
        Assert.Contains(
            "TREND: the mean per about 2m,",
            BehaviourTableRenderer.Render(response with { Series = [response.Series[0] with { Points = points[..100] }] }, "support-bot"),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--step", "90s")]
    [InlineData("--step", "soon")]
    [InlineData("--by", "model")]
    [InlineData("--from", "yesterday")]
    [InlineData("--from", "2026-11-29T13:00:00Z", "--to", "2026-11-29T12:00:00Z")]
    [InlineData("--from", "2026-11-29T12:00:00Z", "--to", "2026-11-29T12:00:00Z")]
    public async Task Bad_flags_are_usage_errors_and_send_nothing(params string[] flags)
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Series);

        var run = await api.RunAsync(["behaviour", "support-bot", .. flags]);

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(api.Requests);
        Assert.Empty(run.Out);
        Assert.Contains("(usage_error)", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_prompt_is_refused_with_the_gateways_message_and_code()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.NotFound, "No prompt 'nope'.", "invalid_request_error", "prompt_not_found"));

        var run = await api.RunAsync("behaviour", "nope");

        run.AssertExit(ExitCodes.Refused);
        Assert.Empty(run.Out);
        Assert.Equal("error: No prompt 'nope'. (prompt_not_found)" + Environment.NewLine, run.Err);
    }

    [Fact]
    public async Task A_parameter_the_gateway_rejects_is_reported_with_its_name()
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(HttpStatusCode.BadRequest, "Unknown metric 'tone'.", "invalid_request_error", "unknown_metric", "metric"));

        var run = await api.RunAsync("behaviour", "support-bot", "--metric", "tone", "--json");

        run.AssertExit(ExitCodes.Refused);
        Assert.Empty(run.Out);
        Assert.Contains("error: Unknown metric 'tone'. (unknown_metric)", run.Err, StringComparison.Ordinal);
        Assert.Contains("  param: metric", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, ExitCodes.AuthenticationFailed)]
    [InlineData(HttpStatusCode.Forbidden, ExitCodes.Refused)]
    [InlineData(HttpStatusCode.InternalServerError, ExitCodes.Unavailable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ExitCodes.Unavailable)]
    public async Task Failures_map_to_the_clis_exit_codes(HttpStatusCode status, int exit)
    {
        var api = new FakeAdminApi(_ => FakeAdminApi.Error(status, "Nope.", "error", "some_code"));

        var series = await api.RunAsync("behaviour", "support-bot");
        var changes = await api.RunAsync("behaviour", "changes", "support-bot");

        series.AssertExit(exit);
        changes.AssertExit(exit);
        Assert.Empty(series.Out);
        Assert.Empty(changes.Out);
    }

    [Fact]
    public async Task An_answer_that_is_not_the_contract_is_the_gateway_failing()
    {
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, "<html>proxy</html>", "text/html").RunAsync("behaviour", "support-bot");

        run.AssertExit(ExitCodes.Unavailable);
        Assert.Contains("(unexpected_response)", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<html>proxy</html>")]
    [InlineData("")]
    public async Task With_json_an_answer_that_is_not_json_is_the_gateway_failing_not_a_crash(string body)
    {
        var run = await FakeAdminApi.Answering(HttpStatusCode.OK, body, "text/html").RunAsync("behaviour", "support-bot", "--json");

        run.AssertExit(ExitCodes.Unavailable);
        Assert.Contains("(unexpected_response)", run.Err, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task Help_lists_the_flags_and_the_changes_command()
    {
        var api = FakeAdminApi.Answering(HttpStatusCode.OK, Series);

        var run = await api.RunAsync("behaviour", "--help");

        run.AssertExit(0);
        Assert.Empty(api.Requests);
        foreach (var expected in new[] { "gatewayctl behaviour <prompt>", "--metric", "--by", "--from", "--to", "--step", "changes", "Exit codes:" })
        {
            Assert.Contains(expected, run.Out, StringComparison.Ordinal);
        }
    }
}
