using System.Globalization;
using System.Text;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;

namespace LlmGateway.Tests.Behaviour.Unit;

/// <summary><see cref="OnlineEvalPlan.Read"/>: what a bundle's <c>online_eval</c> block may hold, and how each refusal is addressed.</summary>
public sealed class OnlineEvalPlanTests
{
    private const string ReferenceFreeList =
        "contains, contains-all, contains-any, contains-json, cost, icontains, icontains-all, icontains-any, is-abstention, is-json, is-refusal, "
        + "json-field, latency, llm-rubric, output-tokens, regex, starts-with, toxicity";

    private static readonly string[] AcceptedMetrics = ["contains", "digits", "format", "not-is-refusal", "polite", "latency", "spend"];
    private static readonly bool[] AcceptedNeedsJudge = [false, false, false, false, true, false, false];
    private static readonly string[] LowerCasedMetrics = ["not-contains", "is-json"];

    private static readonly string[] ErrorFieldsInOrder =
    [
        "name",
        "online_eval.assert[0].type",
        "online_eval.assert[2].value",
        "online_eval.assert[3].metric",
        "online_eval.judge.model",
        "online_eval.judge.sample_rate",
        "online_eval.judge.daily_budget_usd",
    ];

    [Fact]
    public void A_missing_block_reads_as_the_empty_plan()
    {
        var errors = new List<FieldError>();

        var plan = OnlineEvalPlan.Read(null, OnlineEvalFixtures.Catalog, errors);

        Assert.Same(OnlineEvalPlan.Empty, plan);
        Assert.Empty(plan!.Assertions);
        Assert.Null(plan.Judge);
        Assert.False(plan.NeedsJudge);
        Assert.Empty(errors);
    }

    [Fact]
    public void An_empty_block_reads_as_a_plan_without_assertions_or_judge()
    {
        var errors = new List<FieldError>();

        var plan = OnlineEvalPlan.Read(new PromptOnlineEval(), OnlineEvalFixtures.Catalog, errors);

        Assert.NotNull(plan);
        Assert.Empty(plan.Assertions);
        Assert.Null(plan.Judge);
        Assert.Empty(errors);
    }

    [Fact]
    public void Reference_free_assertions_are_accepted_with_their_metrics_and_the_judge_gets_its_defaults()
    {
        var plan = OnlineEvalFixtures.Plan("""
            [{"type":"contains","value":"refund"},
             {"type":"regex","value":"^\\d+$","metric":"digits"},
             {"type":"is-json","value":{"type":"object","required":["answer"]},"metric":"format"},
             {"type":"not-is-refusal"},
             {"type":"llm-rubric","value":"Is the answer polite?","metric":"polite"},
             {"type":"latency","threshold":2000},
             {"type":"cost","value":0.01,"metric":"spend"}]
            """, OnlineEvalFixtures.Judge);

        Assert.Equal(AcceptedMetrics, plan.Assertions.Select(a => a.Metric));
        Assert.Equal("refund", plan.Assertions[0].Spec.Value!.Value.GetString());
        Assert.Equal("^\\d+$", plan.Assertions[1].Spec.Value!.Value.GetString());
        Assert.Equal("not-is-refusal", plan.Assertions[3].Spec.Type);
        Assert.Equal(2000, plan.Assertions[5].Spec.Threshold);
        Assert.Equal(AcceptedNeedsJudge, plan.Assertions.Select(a => a.NeedsJudge));
        Assert.Equal(new OnlineJudgePlan(OnlineEvalFixtures.JudgeModel, 0.1, 1m), plan.Judge);
        Assert.Equal(0.1, OnlineEvalPlan.DefaultJudgeSampleRate);
        Assert.Equal(1m, OnlineEvalPlan.DefaultJudgeDailyBudgetUsd);
        Assert.True(plan.NeedsJudge);
    }

    [Fact]
    public void A_judge_keeps_its_own_sample_rate_and_budget()
    {
        var plan = OnlineEvalFixtures.Plan(
            """[{"type":"llm-rubric","value":"Polite?"}]""",
            new PromptOnlineJudge { Model = OnlineEvalFixtures.JudgeModel, SampleRate = 1, DailyBudgetUsd = 2.5m });

        Assert.Equal(new OnlineJudgePlan(OnlineEvalFixtures.JudgeModel, 1, 2.5m), plan.Judge);
        Assert.Equal("llm-rubric", Assert.Single(plan.Assertions).Metric);
    }

    [Fact]
    public void A_judge_without_a_rubric_assertion_is_kept_but_not_needed()
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":"is-json"}]""", OnlineEvalFixtures.Judge);

        Assert.NotNull(plan.Judge);
        Assert.False(plan.NeedsJudge);
    }

    [Fact]
    public void The_default_metric_is_the_type_trimmed_and_lower_cased()
    {
        var plan = OnlineEvalFixtures.Plan("""[{"type":" Not-Contains ","value":"sorry"},{"type":"IS-JSON"}]""");

        Assert.Equal(LowerCasedMetrics, plan.Assertions.Select(a => a.Metric));
    }

    [Fact]
    public void A_metric_of_64_characters_is_accepted()
    {
        var metric = "m" + new string('x', 63);

        var plan = OnlineEvalFixtures.Plan($$"""[{"type":"is-json","metric":"{{metric}}"}]""");

        Assert.Equal(metric, Assert.Single(plan.Assertions).Metric);
    }

    [Theory]
    [InlineData("""[{"type":"equals","value":"x"}]""", "online_eval.assert[0].type", "'equals' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"levenshtein","value":"x","threshold":3}]""", "online_eval.assert[0].type", "'levenshtein' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"rouge-l","value":"x"}]""", "online_eval.assert[0].type", "'rouge-l' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"similar","value":"x"}]""", "online_eval.assert[0].type", "'similar' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"not-similar","value":"x"}]""", "online_eval.assert[0].type", "'not-similar' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"assert-set","assert":[{"type":"contains","value":"a"}]}]""", "online_eval.assert[0].type", "'assert-set' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"no-such-type"}]""", "online_eval.assert[0].type", "'no-such-type' cannot run online; reference-free types: " + ReferenceFreeList + " (each also as 'not-<type>').")]
    [InlineData("""[{"type":"is-json"},{"type":"contains"}]""", "online_eval.assert[1].value", "'contains' needs a value.")]
    [InlineData("""[{"type":"contains","value":null}]""", "online_eval.assert[0].value", "'contains' needs a value.")]
    [InlineData("""[{"type":"regex"}]""", "online_eval.assert[0].value", "'regex' needs a value.")]
    [InlineData("""[{"type":"llm-rubric"}]""", "online_eval.assert[0].value", "'llm-rubric' needs a value.")]
    [InlineData("""[{"type":"not-icontains-any"}]""", "online_eval.assert[0].value", "'icontains-any' needs a value.")]
    [InlineData("""[{"type":"contains","value":"Hello {{ name }}"}]""", "online_eval.assert[0].value", "Live traffic has no case vars: '{{ … }}' cannot be filled.")]
    [InlineData("""[{"type":"contains-any","value":["ok","{{answer}}"]}]""", "online_eval.assert[0].value", "Live traffic has no case vars: '{{ … }}' cannot be filled.")]
    [InlineData("""[{"type":"latency"}]""", "online_eval.assert[0].threshold", "'latency' needs its limit as threshold or value (a finite number).")]
    [InlineData("""[{"type":"output-tokens","value":"500"}]""", "online_eval.assert[0].threshold", "'output-tokens' needs its limit as threshold or value (a finite number).")]
    [InlineData("""[{"type":"latency","value":1e999}]""", "online_eval.assert[0].threshold", "'latency' needs its limit as threshold or value (a finite number).")]
    [InlineData("""[{"type":"is-refusal","metric":"refusal"}]""", "online_eval.assert[0].metric", "'refusal' is a built-in series name, a quantile of one (latency_ms.p50…latency_ms.p99, ttft_ms.p50…ttft_ms.p99) or ends in '.score'; name the metric.")]
    [InlineData("""[{"type":"latency","threshold":100,"metric":"latency_ms"}]""", "online_eval.assert[0].metric", "'latency_ms' is a built-in series name, a quantile of one (latency_ms.p50…latency_ms.p99, ttft_ms.p50…ttft_ms.p99) or ends in '.score'; name the metric.")]
    [InlineData("""[{"type":"latency","threshold":100,"metric":"latency_ms.p95"}]""", "online_eval.assert[0].metric", "'latency_ms.p95' is a built-in series name, a quantile of one (latency_ms.p50…latency_ms.p99, ttft_ms.p50…ttft_ms.p99) or ends in '.score'; name the metric.")]
    [InlineData("""[{"type":"is-json","metric":"format.score"}]""", "online_eval.assert[0].metric", "'format.score' is a built-in series name, a quantile of one (latency_ms.p50…latency_ms.p99, ttft_ms.p50…ttft_ms.p99) or ends in '.score'; name the metric.")]
    [InlineData("""[{"type":"is-json","metric":"bad|name"}]""", "online_eval.assert[0].metric", "'bad|name': letters, digits, '.', '_' and '-', at most 64.")]
    [InlineData("""[{"type":"is-json","metric":"has space"}]""", "online_eval.assert[0].metric", "'has space': letters, digits, '.', '_' and '-', at most 64.")]
    [InlineData("""[{"type":"is-json","metric":".hidden"}]""", "online_eval.assert[0].metric", "'.hidden': letters, digits, '.', '_' and '-', at most 64.")]
    [InlineData("""[{"type":"contains","value":"a"},{"type":"contains","value":"b"}]""", "online_eval.assert[1].metric", "'contains' is named twice; give each assertion its own metric.")]
    [InlineData("""[{"type":"is-json","metric":"fmt"},{"type":"not-contains","value":"x","metric":" fmt "}]""", "online_eval.assert[1].metric", "'fmt' is named twice; give each assertion its own metric.")]
    [InlineData("""[{"type":""}]""", "online_eval.assert[0]", "an assertion's 'type' must be a non-empty string")]
    public void A_refused_assertion_is_reported_at_its_field_with_why(string assertJson, string field, string message)
    {
        var errors = new List<FieldError>();

        // A valid judge is present so that each case makes exactly one error.
        var plan = OnlineEvalFixtures.Read(assertJson, OnlineEvalFixtures.Judge, errors);

        Assert.Null(plan);
        Assert.Equal(new FieldError(field, message), Assert.Single(errors));
    }

    [Theory]
    // Its evaluation recursed without end: the first sampled JSON answer ended the gateway's process.
    [InlineData("""[{"type":"is-json","value":{"allOf":[{"$ref":"#"}]}}]""", "refers back to itself")]
    [InlineData("""[{"type":"contains-json","value":{"$ref":"#/$defs/n","$defs":{"n":{"anyOf":[{"$ref":"#/$defs/n"}]}}}}]""", "refers back to itself")]
    [InlineData("""[{"type":"is-json","value":5,"metric":"format"}]""", "invalid JSON schema")]
    [InlineData("""[{"type":"is-json","value":"{not a schema","metric":"format"}]""", "invalid JSON schema")]
    [InlineData("""[{"type":"not-is-json","value":5,"metric":"format"}]""", "invalid JSON schema")]
    public void A_json_schema_that_cannot_be_evaluated_safely_is_refused_at_push_not_run_on_live_answers(string assertJson, string problem)
    {
        var errors = new List<FieldError>();

        var plan = OnlineEvalFixtures.Read(assertJson, null, errors);

        Assert.Null(plan);
        var error = Assert.Single(errors);
        Assert.Equal("online_eval.assert[0].value", error.Field);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_metric_of_65_characters_is_refused()
    {
        var metric = "m" + new string('x', 64);
        var errors = new List<FieldError>();

        var plan = OnlineEvalFixtures.Read($$"""[{"type":"is-json","metric":"{{metric}}"}]""", null, errors);

        Assert.Null(plan);
        Assert.Equal(new FieldError("online_eval.assert[0].metric", $"'{metric}': letters, digits, '.', '_' and '-', at most 64."), Assert.Single(errors));
    }

    [Fact]
    public void A_rubric_without_a_judge_is_refused_at_the_judge()
    {
        var errors = new List<FieldError>();

        var plan = OnlineEvalFixtures.Read("""[{"type":"llm-rubric","value":"Polite?","metric":"polite"}]""", null, errors);

        Assert.Null(plan);
        Assert.Equal(new FieldError("online_eval.judge", """'llm-rubric' needs a judge: {"model": "<catalog model>"}."""), Assert.Single(errors));
    }

    [Theory]
    [InlineData("gpt-9")]
    [InlineData("JUDGE-MINI")]
    [InlineData("")]
    [InlineData(null)]
    public void A_judge_model_not_in_the_catalog_is_refused_once(string? model)
    {
        var errors = new List<FieldError>();

        var plan = OnlineEvalFixtures.Read("""[{"type":"llm-rubric","value":"Polite?"}]""", new PromptOnlineJudge { Model = model }, errors);

        // Only the model: the rubric's "needs a judge" is not piled on top.
        Assert.Null(plan);
        Assert.Equal(new FieldError("online_eval.judge.model", "Required: a model from the catalog (GET /v1/models)."), Assert.Single(errors));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_sample_rate_outside_zero_to_one_is_refused(double rate)
    {
        var errors = new List<FieldError>();

        var plan = OnlineEvalFixtures.Read(
            """[{"type":"llm-rubric","value":"Polite?"}]""",
            new PromptOnlineJudge { Model = OnlineEvalFixtures.JudgeModel, SampleRate = rate },
            errors);

        Assert.Null(plan);
        Assert.Equal(new FieldError("online_eval.judge.sample_rate", "Greater than 0 and at most 1."), Assert.Single(errors));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("-0.5")]
    public void A_daily_budget_that_is_not_positive_is_refused(string budget)
    {
        var errors = new List<FieldError>();
        var amount = decimal.Parse(budget, CultureInfo.InvariantCulture);

        var plan = OnlineEvalFixtures.Read(
            """[{"type":"llm-rubric","value":"Polite?"}]""",
            new PromptOnlineJudge { Model = OnlineEvalFixtures.JudgeModel, DailyBudgetUsd = amount },
            errors);

        Assert.Null(plan);
        Assert.Equal(new FieldError("online_eval.judge.daily_budget_usd", $"A positive amount of USD, at most 1000000 (got {budget})."), Assert.Single(errors));
    }

    [Fact]
    public void Every_problem_is_reported_in_order_and_errors_already_in_the_list_are_kept()
    {
        var errors = new List<FieldError> { new("name", "earlier problem") };

        var plan = OnlineEvalFixtures.Read(
            """[{"type":"equals","value":"x"},{"type":"is-json"},{"type":"regex"},{"type":"is-json"}]""",
            new PromptOnlineJudge { Model = "gpt-9", SampleRate = 2, DailyBudgetUsd = 0 },
            errors);

        Assert.Null(plan);
        Assert.Equal(ErrorFieldsInOrder, errors.Select(e => e.Field));
    }

    [Fact]
    public void Thirty_two_assertions_are_accepted()
    {
        var plan = OnlineEvalFixtures.Plan(Contains(32));

        Assert.Equal(32, plan.Assertions.Count);
        Assert.Equal("m31", plan.Assertions[31].Metric);
    }

    [Fact]
    public void More_than_thirty_two_assertions_are_refused_and_the_extra_ones_are_not_read()
    {
        var errors = new List<FieldError>();

        // The 33rd is itself invalid, but it is past the cap and never read.
        var json = Contains(32)[..^1] + """,{"type":"equals","value":"x"}]""";
        var plan = OnlineEvalFixtures.Read(json, null, errors);

        Assert.Null(plan);
        Assert.Equal(new FieldError("online_eval.assert", "At most 32 assertions."), Assert.Single(errors));
    }

    private static string Contains(int count)
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < count; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $$"""{{(i == 0 ? "" : ",")}}{"type":"contains","value":"v{{i}}","metric":"m{{i}}"}""");
        }

        return json.Append(']').ToString();
    }
}
