using System.Globalization;
using System.Text.Json;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Eval.Scoring;
using LlmGateway.Providers;

namespace LlmGateway.Behaviour;

/// <summary>
/// A bundle's <c>online_eval</c> block, read once per version: the assertions and the judge. Reading it is
/// also how a push is validated, so whatever a plan refuses never reaches the store.
/// </summary>
internal sealed record OnlineEvalPlan(IReadOnlyList<OnlineAssertion> Assertions, OnlineJudgePlan? Judge)
{
    public const string JudgeType = "llm-rubric";
    public const double DefaultJudgeSampleRate = 0.1;
    public const decimal DefaultJudgeDailyBudgetUsd = 1m;
    private const int MaxAssertions = 32;
    private const decimal MaxDailyBudgetUsd = 1_000_000m;

    public static readonly OnlineEvalPlan Empty = new([], null);

    /// <summary>
    /// Types whose verdict needs nothing but the answer (and its latency, cost and tokens). Reference-based
    /// scorers (<c>equals</c>, <c>levenshtein</c>, <c>rouge-l</c>, <c>similar</c>) have no reference online.
    /// </summary>
    private static readonly HashSet<string> ReferenceFree = new(StringComparer.OrdinalIgnoreCase)
    {
        "contains", "icontains", "contains-any", "contains-all", "icontains-any", "icontains-all", "regex", "starts-with",
        "is-json", "contains-json", "json-field", "is-refusal", "is-abstention", "toxicity", "latency", "cost", "output-tokens",
        JudgeType,
    };

    /// <summary>Types that mean nothing without a value.</summary>
    private static readonly HashSet<string> NeedsValue = new(StringComparer.OrdinalIgnoreCase)
    {
        "contains", "icontains", "contains-any", "contains-all", "icontains-any", "icontains-all", "regex", "starts-with",
        "json-field", JudgeType,
    };

    private static readonly HashSet<string> Limits = new(StringComparer.OrdinalIgnoreCase) { "latency", "cost", "output-tokens" };

    public bool NeedsJudge => Judge is not null && Assertions.Any(a => a.NeedsJudge);

    /// <summary>A limit type (<c>latency</c>, <c>cost</c>, <c>output-tokens</c>), negated or not.</summary>
    public static bool IsLimit(string type)
    {
        var name = type.Trim();
        return Limits.Contains(name.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase) ? name[ScorerRegistry.NegationPrefix.Length..] : name);
    }

    /// <summary>The block without its judge and the <c>llm-rubric</c> assertions that need one (negated or not).</summary>
    public static PromptOnlineEval WithoutJudge(PromptOnlineEval block) => block with
    {
        Judge = null,
        Assert = [.. (block.Assert ?? []).Where(a => !(a.ValueKind == JsonValueKind.Object
            && a.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && string.Equals(BaseType(type.GetString()!), JudgeType, StringComparison.OrdinalIgnoreCase)))],
    };

    /// <summary>Reads the block; every problem lands in <paramref name="errors"/> with its field path, and the result is then null.</summary>
    /// <param name="stored">
    /// A bundle pushed before (not one being pushed): a metric named as a quantile of a built-in series
    /// (<c>latency_ms.p95</c>), legal before those names were reserved, is read as it was, not refused with the block.
    /// </param>
    public static OnlineEvalPlan? Read(PromptOnlineEval? block, ModelCatalog catalog, List<FieldError> errors, bool stored = false)
    {
        if (block is null)
        {
            return Empty;
        }

        var before = errors.Count;
        var assertions = new List<OnlineAssertion>();
        var metrics = new HashSet<string>(StringComparer.Ordinal);
        var raw = block.Assert ?? [];
        if (raw.Count > MaxAssertions)
        {
            errors.Add(new FieldError("online_eval.assert", $"At most {MaxAssertions} assertions."));
        }

        for (var i = 0; i < raw.Count && i < MaxAssertions; i++)
        {
            var field = $"online_eval.assert[{i}]";
            AssertionSpec spec;
            try
            {
                spec = AssertionSpec.FromJson(raw[i]);
            }
            catch (JsonException ex)
            {
                errors.Add(new FieldError(field, ex.Message));
                continue;
            }

            var type = BaseType(spec.Type);
            if (spec.IsSet || !ReferenceFree.Contains(type))
            {
                errors.Add(new FieldError($"{field}.type", $"'{spec.Type}' cannot run online; reference-free types: {string.Join(", ", ReferenceFree.Order(StringComparer.Ordinal))} (each also as 'not-<type>')."));
                continue;
            }

            if (NeedsValue.Contains(type) && spec.Value is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined })
            {
                errors.Add(new FieldError($"{field}.value", $"'{type}' needs a value."));
                continue;
            }

            if (Limits.Contains(type) && spec.Threshold is null && !(spec.Value is { ValueKind: JsonValueKind.Number } number && number.TryGetDouble(out var limit) && double.IsFinite(limit)))
            {
                // (1e999 reads as infinity: a limit that every answer passes.)
                errors.Add(new FieldError($"{field}.threshold", $"'{type}' needs its limit as threshold or value (a finite number)."));
                continue;
            }

            if (spec.Value is { } value && value.GetRawText().Contains("{{", StringComparison.Ordinal))
            {
                errors.Add(new FieldError($"{field}.value", "Live traffic has no case vars: '{{ … }}' cannot be filled."));
                continue;
            }

            // A schema is built at push, not first on a live answer: one that cannot be evaluated safely (it refers to
            // itself, or fans out) would otherwise run against every sampled answer.
            if (type is "is-json" or "contains-json" && spec.Value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } schema
                && !LlmGateway.Eval.Scoring.JsonSchemaCheck.TryBuild(schema, out _, out var schemaError))
            {
                errors.Add(new FieldError($"{field}.value", schemaError));
                continue;
            }

            var metric = string.IsNullOrWhiteSpace(spec.Metric) ? spec.Type.Trim().ToLowerInvariant() : spec.Metric.Trim();
            if (!MetricNames.IsValid(metric))
            {
                errors.Add(new FieldError($"{field}.metric", $"'{metric}': letters, digits, '.', '_' and '-', at most 64."));
                continue;
            }

            if (OnlineMetrics.BuiltIn.Contains(metric) || metric.EndsWith(ScoreSuffix, StringComparison.Ordinal) || (!stored && QuantileMetricName.TryParse(metric, out _, out _)))
            {
                errors.Add(new FieldError($"{field}.metric", $"'{metric}' is a built-in series name, a quantile of one ({QuantileMetricName.Forms}) or ends in '{ScoreSuffix}'; name the metric."));
                continue;
            }

            if (!metrics.Add(metric))
            {
                errors.Add(new FieldError($"{field}.metric", $"'{metric}' is named twice; give each assertion its own metric."));
                continue;
            }

            if (Limits.Contains(type) && spec.Threshold is null)
            {
                // The limit scorers read their limit from the threshold; a limit given as the value means the same.
                spec = spec with { Threshold = spec.Value!.Value.GetDouble() };
            }

            assertions.Add(new OnlineAssertion(metric, spec));
        }

        var judge = ReadJudge(block.Judge, catalog, errors);
        if (judge is null && assertions.Any(a => a.NeedsJudge) && errors.Count == before)
        {
            errors.Add(new FieldError("online_eval.judge", $"'{JudgeType}' needs a judge: {{\"model\": \"<catalog model>\"}}."));
        }

        return errors.Count > before ? null : new OnlineEvalPlan(assertions, judge);
    }

    /// <summary>The graded score of an <c>llm-rubric</c> assertion is its own series, beside the pass rate.</summary>
    public const string ScoreSuffix = ".score";

    private static OnlineJudgePlan? ReadJudge(PromptOnlineJudge? judge, ModelCatalog catalog, List<FieldError> errors)
    {
        if (judge is null)
        {
            return null;
        }

        var ok = true;
        if (string.IsNullOrWhiteSpace(judge.Model) || !catalog.TryGetModel(judge.Model, out _))
        {
            errors.Add(new FieldError("online_eval.judge.model", $"Required: a model from the catalog (GET /v1/models)."));
            ok = false;
        }

        if (judge.SampleRate is { } rate && !(rate > 0 && rate <= 1))
        {
            errors.Add(new FieldError("online_eval.judge.sample_rate", "Greater than 0 and at most 1."));
            ok = false;
        }

        if (judge.DailyBudgetUsd is { } budget && (budget <= 0 || budget > MaxDailyBudgetUsd))
        {
            errors.Add(new FieldError("online_eval.judge.daily_budget_usd", string.Create(CultureInfo.InvariantCulture, $"A positive amount of USD, at most {MaxDailyBudgetUsd} (got {budget}).")));
            ok = false;
        }

        return ok ? new OnlineJudgePlan(judge.Model!, judge.SampleRate ?? DefaultJudgeSampleRate, judge.DailyBudgetUsd ?? DefaultJudgeDailyBudgetUsd) : null;
    }

    private static string BaseType(string type)
    {
        var trimmed = type.Trim();
        return trimmed.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase) ? trimmed[ScorerRegistry.NegationPrefix.Length..] : trimmed;
    }
}
