using System.Text.Json.Nodes;
using LlmGateway.Accounting;
using LlmGateway.Behaviour;
using LlmGateway.Eval.Scoring;
using LlmGateway.Sampling;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary><see cref="SampleScorer"/> on hand-built samples: the built-in readings, then the bundle's assertions.</summary>
public sealed class SampleScorerTests
{
    private const string Polite = """[{"type":"llm-rubric","value":"Is the answer polite?","metric":"polite"}]""";

    private static readonly string[] NeverOnAFailure = [OnlineMetrics.Refusal, OnlineMetrics.Truncation, OnlineMetrics.OutputTokens, "mentions-refund"];

    private static readonly SampleScorer Scorer = new(ScorerRegistry.CreateDefault());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_good_answer_reads_every_built_in_metric()
    {
        var sample = Sample(
            new SampleResponse { Status = 200, Text = "Your order ships tomorrow.", FinishReason = "stop", Complete = true },
            usage: Usage(input: 120, output: 30, cost: 0.00042m),
            messages: JsonNode.Parse("""[{"role":"system","content":"You help."},{"role":"user","content":"Where is my order?"}]"""),
            request: JsonNode.Parse("""{"model":"gpt-4o-mini","tools":[{"type":"function","function":{"name":"lookup"}}]}"""),
            ttft: 210);

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        MetricObservation[] expected =
        [
            new("error", MetricKind.Rate, 0, true),
            new("latency_ms", MetricKind.Value, 850, null),
            new("message_count", MetricKind.Value, 2, null),
            new("tool_use", MetricKind.Rate, 1, false),
            new("non_latin_input", MetricKind.Rate, 0, true),
            new("input_tokens", MetricKind.Value, 120, null),
            new("cost_usd", MetricKind.Value, (double)0.00042m, null),
            new("ttft_ms", MetricKind.Value, 210, null),
            new("output_tokens", MetricKind.Value, 30, null),
            new("truncation", MetricKind.Rate, 0, true),
            new("refusal", MetricKind.Rate, 0, true),
        ];
        Assert.Equal(expected, observations);
    }

    [Fact]
    public async Task Without_usage_ttft_tools_or_letters_only_what_is_known_is_read()
    {
        var sample = Sample(
            new SampleResponse { Status = 200, Text = "42", FinishReason = "stop", Complete = true },
            usage: null,
            messages: JsonNode.Parse("""[{"role":"user","content":"6 * 7 = ?"}]"""),
            request: JsonNode.Parse("""{"model":"gpt-4o-mini","tools":[]}"""));

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        MetricObservation[] expected =
        [
            new("error", MetricKind.Rate, 0, true),
            new("latency_ms", MetricKind.Value, 850, null),
            new("message_count", MetricKind.Value, 1, null),
            new("tool_use", MetricKind.Rate, 0, true),
            new("truncation", MetricKind.Rate, 0, true),
            new("refusal", MetricKind.Rate, 0, true),
        ];
        Assert.Equal(expected, observations);
    }

    [Fact]
    public async Task A_cost_unknown_to_accounting_is_not_read_but_tokens_are()
    {
        var sample = Sample(
            new SampleResponse { Status = 200, Text = "Fine.", FinishReason = "stop", Complete = true },
            usage: Usage(input: 7, output: 2, cost: null));

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        Assert.DoesNotContain(observations, o => o.Metric == OnlineMetrics.CostUsd);
        Assert.Equal(new MetricObservation("input_tokens", MetricKind.Value, 7, null), Single(observations, OnlineMetrics.InputTokens));
        Assert.Equal(new MetricObservation("output_tokens", MetricKind.Value, 2, null), Single(observations, OnlineMetrics.OutputTokens));
    }

    [Theory]
    [InlineData(500, true, null)]
    [InlineData(429, true, "rate limited")]
    [InlineData(200, false, null)]
    [InlineData(200, true, "upstream stream error")]
    public async Task A_failed_sample_reads_error_and_says_nothing_about_its_answer(int status, bool complete, string? error)
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":"contains","value":"refund","metric":"mentions-refund"}]""");
        var sample = Sample(
            new SampleResponse { Status = status, Text = "I'm sorry, but I can't help with that.", FinishReason = "length", Complete = complete, Error = error },
            usage: Usage(input: 120, output: 5, cost: 0.0001m),
            ttft: 90);

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        MetricObservation[] expected =
        [
            new("error", MetricKind.Rate, 1, false),
            new("latency_ms", MetricKind.Value, 850, null),
            new("message_count", MetricKind.Value, 1, null),
            new("tool_use", MetricKind.Rate, 0, true),
            new("non_latin_input", MetricKind.Rate, 0, true),
            new("input_tokens", MetricKind.Value, 120, null),
            new("cost_usd", MetricKind.Value, (double)0.0001m, null),
            new("ttft_ms", MetricKind.Value, 90, null),
        ];
        Assert.Equal(expected, observations);
        Assert.DoesNotContain(observations, o => NeverOnAFailure.Contains(o.Metric));
    }

    [Fact]
    public async Task A_stream_the_user_stopped_reads_no_error_and_no_latency_but_its_input_cost_and_first_token()
    {
        // The answer ends where the user chose: counted as an error (and as a short latency), a candidate whose longer
        // answers users stop more often would read failing and fast, and a rollout on error rate could abort it.
        var plan = OnlineEvalFixtures.Plan("""[{"type":"contains","value":"refund","metric":"mentions-refund"}]""");
        var sample = Sample(
            new SampleResponse { Status = 200, Text = "Let me explain the refund policy in detail. First", Streamed = true, Complete = false, ClientStopped = true },
            usage: Usage(input: 120, output: 5, cost: 0.0001m),
            ttft: 90);

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        MetricObservation[] expected =
        [
            new("message_count", MetricKind.Value, 1, null),
            new("tool_use", MetricKind.Rate, 0, true),
            new("non_latin_input", MetricKind.Rate, 0, true),
            new("input_tokens", MetricKind.Value, 120, null),
            new("cost_usd", MetricKind.Value, (double)0.0001m, null),
            new("ttft_ms", MetricKind.Value, 90, null),
        ];
        Assert.Equal(expected, observations);
    }

    [Fact]
    public async Task A_request_refused_for_its_version_reads_an_error_and_its_input_but_no_latency_or_tools()
    {
        // The gateway refused it before sending anything: its near-zero time would make a failing candidate read fast.
        var sample = Sample(
            new SampleResponse { Status = 400, Complete = false, Error = "The prompt 'support-bot' requires the variable 'tier' in 'prompt_variables'." },
            latencyMs: 0) with { Refused = true };
        var plan = OnlineEvalFixtures.Plan("""[{"type":"contains","value":"refund","metric":"mentions-refund"}]""");

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        MetricObservation[] expected =
        [
            new("error", MetricKind.Rate, 1, false),
            new("message_count", MetricKind.Value, 1, null),
            new("non_latin_input", MetricKind.Rate, 0, true),
        ];
        Assert.Equal(expected, observations);
    }

    [Fact]
    public async Task A_cut_answer_reads_its_error_tokens_and_limits_and_its_text_assertions_as_error_readings()
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":"is-json","metric":"valid-json"},{"type":"output-tokens","threshold":1000,"metric":"short"}]""");
        var sample = Sample(
            new SampleResponse { Status = 200, Text = "{\"items\":[1,2,", Complete = true, Cut = true },
            usage: Usage(input: 120, output: 4000, cost: 0.002m));

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        Assert.Equal(new MetricObservation("error", MetricKind.Rate, 0, true), Single(observations, OnlineMetrics.Error));
        Assert.Equal(new MetricObservation("output_tokens", MetricKind.Value, 4000, null), Single(observations, OnlineMetrics.OutputTokens));
        Assert.Equal(MetricObservation.Error("valid-json", MetricKind.Rate), Single(observations, "valid-json"));

        // A limit reads what the hot path measured: the longest answers still fail their token budget.
        Assert.Equal(new MetricObservation("short", MetricKind.Rate, 0, false), Single(observations, "short"));

        // The capture cut it: its finish reason and whether it refused are past the cut.
        Assert.DoesNotContain(observations, o => o.Metric is OnlineMetrics.Refusal or OnlineMetrics.Truncation);
    }

    [Fact]
    public async Task An_answer_the_stored_size_cap_shortened_still_reads_its_finish_reason()
    {
        var sample = Sample(new SampleResponse { Status = 200, Text = "Chapter one…[truncated 90000 chars]", FinishReason = "length", Complete = true, Cut = true });

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        Assert.Equal(new MetricObservation("truncation", MetricKind.Rate, 1, false), Single(observations, OnlineMetrics.Truncation));
    }

    [Theory]
    [InlineData("length", 1)]
    [InlineData("max_output_tokens", 1)]
    [InlineData("content_filter", 0)]
    [InlineData("stop", 0)]
    [InlineData("tool_calls", 0)]
    [InlineData(null, 0)]
    public async Task Truncation_is_a_length_finish(string? finishReason, int truncated)
    {
        var sample = Sample(new SampleResponse { Status = 200, Text = "The first three steps are", FinishReason = finishReason, Complete = true });

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        Assert.Equal(new MetricObservation("truncation", MetricKind.Rate, truncated, truncated == 0), Single(observations, OnlineMetrics.Truncation));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Here is what I can say.")]
    public async Task The_openai_refusal_field_is_a_refusal_whatever_the_text(string? text)
    {
        var sample = Sample(new SampleResponse { Status = 200, Text = text, Refusal = "I can't assist with that request.", FinishReason = "stop", Complete = true });

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        Assert.Equal(new MetricObservation("refusal", MetricKind.Rate, 1, false), Single(observations, OnlineMetrics.Refusal));
    }

    [Theory]
    [InlineData("I'm sorry, but I can't help with that.", 1)]
    [InlineData("I cannot provide medical advice.", 1)]
    [InlineData("Sorry for the delay! Your refund was issued today.", 0)]
    [InlineData("You can't return opened items, but I can help with an exchange.", 0)]
    public async Task A_refusal_in_the_text_is_read_by_the_is_refusal_heuristic(string text, int refused)
    {
        var sample = Sample(new SampleResponse { Status = 200, Text = text, FinishReason = "stop", Complete = true });

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        Assert.Equal(new MetricObservation("refusal", MetricKind.Rate, refused, refused == 0), Single(observations, OnlineMetrics.Refusal));
    }

    [Theory]
    [InlineData("", true, 0)]
    [InlineData(null, true, 0)]
    [InlineData("", false, 1)]
    [InlineData(null, false, 1)]
    public async Task An_empty_text_is_a_refusal_unless_the_answer_is_tool_calls(string? text, bool withToolCalls, int refused)
    {
        var sample = Sample(new SampleResponse
        {
            Status = 200,
            Text = text,
            ToolCalls = withToolCalls ? [new SampleToolCall("call_1", "function", "lookup_order", """{"id":"42"}""")] : [],
            FinishReason = withToolCalls ? "tool_calls" : "stop",
            Complete = true,
        });

        var observations = await Scorer.ScoreAsync(sample, OnlineEvalPlan.Empty, null, Ct);

        Assert.Equal(new MetricObservation("refusal", MetricKind.Rate, refused, refused == 0), Single(observations, OnlineMetrics.Refusal));
    }

    [Theory]
    [InlineData("Your refund is on its way.", 1)]
    [InlineData("Your order ships tomorrow.", 0)]
    public async Task A_bundle_assertion_reads_as_a_rate_of_passes(string text, int passed)
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":"contains","value":"refund","metric":"mentions-refund"},{"type":"not-contains","value":"refund"}]""");
        var sample = Sample(new SampleResponse { Status = 200, Text = text, FinishReason = "stop", Complete = true });

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        // The bundle's readings come after the built-in ones, in the plan's order.
        MetricObservation[] expected =
        [
            new("mentions-refund", MetricKind.Rate, passed, passed == 1),
            new("not-contains", MetricKind.Rate, 1 - passed, passed == 0),
        ];
        Assert.Equal(expected, observations.TakeLast(2));
    }

    [Theory]
    [InlineData(850, 1)]
    [InlineData(1000, 1)]
    [InlineData(1500, 0)]
    public async Task A_latency_assertion_reads_the_sample_latency(double latencyMs, int passed)
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":"latency","threshold":1000,"metric":"fast"}]""");
        var sample = Sample(new SampleResponse { Status = 200, Text = "ok", FinishReason = "stop", Complete = true }, latencyMs: latencyMs);

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        Assert.Equal(new MetricObservation("fast", MetricKind.Rate, passed, passed == 1), Single(observations, "fast"));
    }

    [Theory]
    // (A schema that does not build is refused at push: OnlineEvalPlanTests.)
    [InlineData("""[{"type":"regex","value":"(unclosed","metric":"format"}]""", "anything")]
    [InlineData("""[{"type":"output-tokens","threshold":100,"metric":"format"}]""", "no usage, so no tokens to check")]
    public async Task An_assertion_that_cannot_score_is_an_error_reading_never_a_pass(string assertJson, string text)
    {
        var plan = OnlineEvalFixtures.Plan(assertJson);
        var sample = Sample(new SampleResponse { Status = 200, Text = text, FinishReason = "stop", Complete = true });

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        var reading = Single(observations, "format");
        Assert.Equal(new MetricObservation("format", MetricKind.Rate, null, null), reading);
        Assert.True(reading.Errored);
    }

    [Fact]
    public async Task A_rubric_is_not_read_when_the_sample_is_not_judged()
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":"llm-rubric","value":"Polite?","metric":"polite"},{"type":"contains","value":"Thanks"}]""", OnlineEvalFixtures.Judge);
        var sample = Sample(new SampleResponse { Status = 200, Text = "Thanks for asking!", FinishReason = "stop", Complete = true });

        var observations = await Scorer.ScoreAsync(sample, plan, null, Ct);

        Assert.DoesNotContain(observations, o => o.Metric.StartsWith("polite", StringComparison.Ordinal));
        Assert.Equal(new MetricObservation("contains", MetricKind.Rate, 1, true), observations[^1]);
    }

    [Theory]
    [InlineData("""{"pass":true,"score":0.8,"reason":"ok"}""", 0.8, true)]
    [InlineData("""{"pass":false,"score":0.2,"reason":"curt"}""", 0.2, false)]
    [InlineData("```json\n{\"pass\":true,\"score\":1,\"reason\":\"lovely\"}\n```", 1, true)]
    public async Task A_judged_rubric_reads_its_score_and_its_pass(string reply, double score, bool pass)
    {
        var plan = OnlineEvalFixtures.Plan(Polite, OnlineEvalFixtures.Judge);
        var sample = Sample(new SampleResponse { Status = 200, Text = "Happy to help!", FinishReason = "stop", Complete = true });
        var judge = new ScriptedLlmJudge(reply);

        var observations = await Scorer.ScoreAsync(sample, plan, new FakeJudgeAccess(judge), Ct);

        MetricObservation[] expected =
        [
            new("polite.score", MetricKind.Value, score, null),
            new("polite", MetricKind.Rate, pass ? 1 : 0, pass),
        ];
        Assert.Equal(expected, observations.TakeLast(2));
        Assert.Equal(("Is the answer polite?", "Happy to help!"), Assert.Single(judge.Calls));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("PASS, looks polite to me")]
    [InlineData("""{"pass":true,"score":1.7,"reason":"very"}""")]
    public async Task A_judge_that_fails_or_rambles_is_an_error_reading_without_a_score(string? reply)
    {
        var plan = OnlineEvalFixtures.Plan(Polite, OnlineEvalFixtures.Judge);
        var sample = Sample(new SampleResponse { Status = 200, Text = "Happy to help!", FinishReason = "stop", Complete = true });
        var judge = new ScriptedLlmJudge(reply);

        var observations = await Scorer.ScoreAsync(sample, plan, new FakeJudgeAccess(judge), Ct);

        Assert.Equal(new MetricObservation("polite", MetricKind.Rate, null, null), observations[^1]);
        Assert.DoesNotContain(observations, o => o.Metric == "polite.score");
        Assert.Single(judge.Calls);
    }

    [Fact]
    public async Task An_answer_made_only_of_tool_calls_is_no_refusal_to_a_bundles_assertions_and_is_never_judged()
    {
        // The built-in refusal metric already read it so; a bundle's is-refusal read the empty text as a refusal, and a
        // judge was paid to grade "".
        var plan = OnlineEvalFixtures.Plan(
            """[{"type":"not-is-refusal","metric":"answered"},{"type":"is-refusal","metric":"refused"},{"type":"llm-rubric","value":"Polite?","metric":"polite"}]""",
            OnlineEvalFixtures.Judge);
        var sample = Sample(new SampleResponse
        {
            Status = 200,
            ToolCalls = [new SampleToolCall("call_1", "function", "lookup_order", """{"id":"42"}""")],
            FinishReason = "tool_calls",
            Complete = true,
        });
        var judge = new ScriptedLlmJudge("""{"pass":false,"score":0.1,"reason":"empty"}""");

        var observations = await Scorer.ScoreAsync(sample, plan, new FakeJudgeAccess(judge), Ct);

        Assert.Equal(new MetricObservation("answered", MetricKind.Rate, 1, true), Single(observations, "answered"));
        Assert.Equal(new MetricObservation("refused", MetricKind.Rate, 0, false), Single(observations, "refused"));
        Assert.Empty(judge.Calls);
        Assert.DoesNotContain(observations, o => o.Metric.StartsWith("polite", StringComparison.Ordinal));
        Assert.True(SampleScorer.OnlyToolCalls(sample));
    }

    [Fact]
    public async Task A_failed_sample_is_never_sent_to_the_judge()
    {
        var plan = OnlineEvalFixtures.Plan(Polite, OnlineEvalFixtures.Judge);
        var sample = Sample(new SampleResponse { Status = 502, Error = "bad gateway", Complete = true });
        var judge = new ScriptedLlmJudge("""{"pass":true,"score":0.8,"reason":"ok"}""");

        var observations = await Scorer.ScoreAsync(sample, plan, new FakeJudgeAccess(judge), Ct);

        Assert.Empty(judge.Calls);
        Assert.DoesNotContain(observations, o => o.Metric.StartsWith("polite", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_judged_rubric_is_graded_by_the_granted_judge_not_the_scorers_own_registry()
    {
        // The scorer's own registry has no judge; only the granted one may grade.
        var plan = OnlineEvalFixtures.Plan(Polite, OnlineEvalFixtures.Judge);
        var sample = Sample(new SampleResponse { Status = 200, Text = "Hi.", FinishReason = "stop", Complete = true });
        var judge = new ScriptedLlmJudge("""{"pass":true,"score":0.5,"reason":"fine"}""");

        var observations = await Scorer.ScoreAsync(sample, plan, new FakeJudgeAccess(judge), Ct);

        Assert.Equal(new MetricObservation("polite", MetricKind.Rate, 1, true), observations[^1]);
        Assert.Equal(new MetricObservation("polite.score", MetricKind.Value, 0.5, null), observations[^2]);
    }

    private static MetricObservation Single(IReadOnlyList<MetricObservation> observations, string metric) =>
        Assert.Single(observations, o => o.Metric == metric);

    private static AccountingRecord Usage(long input, long output, decimal? cost) =>
        new("gpt-4o-mini", input, 0, output, 0, AccountingRecord.Reported, cost, "stop");

    private static SampleRecord Sample(
        SampleResponse response,
        AccountingRecord? usage = null,
        JsonNode? messages = null,
        JsonNode? request = null,
        double? ttft = null,
        double latencyMs = 850) => new()
        {
            Id = "smp_1",
            RequestId = "req_1",
            Timestamp = DateTimeOffset.UnixEpoch,
            Reason = SampleReasons.Rate,
            Prompt = "support-bot",
            Version = 3,
            Variant = "-",
            Model = "gpt-4o-mini",
            Provider = "p",
            KeyId = "key_1",
            Endpoint = "/v1/chat/completions",
            Input = new SampleInput { Messages = messages ?? JsonNode.Parse("""[{"role":"user","content":"Can I get a refund?"}]""") },
            Request = request,
            Response = response,
            Usage = usage,
            LatencyMs = latencyMs,
            TimeToFirstTokenMs = ttft,
        };
}
