using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Turns promptfoo assertions (as JSON objects, from YAML or from the CSV shorthand) into <see cref="AssertionSpec"/>s:
/// checks that the type is one gatewayctl scores, moves metric tags from an assert-set's members to the set, and
/// groups a test's assertions into one assert-set when the test has a <c>threshold</c>.
/// </summary>
internal static class PromptfooAssertions
{
    /// <summary>Every type gatewayctl scores (without the <c>not-</c> variants).</summary>
    public static readonly FrozenSet<string> Supported =
        ScorerRegistry.CreateDefault().Names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// promptfoo's assertion types (across its versions) plus ours, so the CSV shorthand can tell
    /// <c>javascript: …</c> (an assertion, refused) from <c>Answer: 42</c> (a plain expected value).
    /// </summary>
    public static readonly FrozenSet<string> Known = new[]
    {
        "answer-relevance", "bleu", "classifier", "contains", "contains-all", "contains-any", "contains-html",
        "contains-json", "contains-sql", "contains-xml", "context-faithfulness", "context-recall", "context-relevance",
        "conversation-relevance", "cost", "equals", "factuality", "finish-reason", "g-eval", "gleu", "guardrails",
        "human", "icontains", "icontains-all", "icontains-any", "is-html", "is-json", "is-refusal", "is-sql",
        "is-valid-function-call", "is-valid-openai-function-call", "is-valid-openai-tools-call", "is-xml", "javascript",
        "latency", "levenshtein", "llm-rubric", "max-score", "meteor", "model-graded-closedqa", "model-graded-factuality",
        "moderation", "perplexity", "perplexity-score", "pi", "python", "regex", "rouge-l", "rouge-n", "rouge-s", "ruby",
        "select-best", "similar", "similar:cosine", "similar:dot", "similar:euclidean", "skill-used", "starts-with",
        "tool-call-f1", "trace-error-spans", "trace-span-count", "trace-span-duration", "webhook", "word-count",
    }.Concat(Supported).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Why <paramref name="type"/> cannot be used, or null when it can.</summary>
    public static string? UnsupportedType(string type)
    {
        var trimmed = type.Trim();
        var baseType = trimmed.StartsWith(ScorerRegistry.NegationPrefix, StringComparison.OrdinalIgnoreCase)
            ? trimmed[ScorerRegistry.NegationPrefix.Length..]
            : trimmed;
        if (Supported.Contains(baseType))
        {
            return null;
        }

        var why = baseType.ToLowerInvariant() switch
        {
            "javascript" or "python" or "ruby" => "runs code from the test file, which gatewayctl never does",
            "webhook" => "calls a webhook, which gatewayctl never does",
            _ when Known.Contains(baseType) => "is a promptfoo type that gatewayctl does not implement",
            _ => "is not a known assertion type",
        };
        return $"assertion type '{trimmed}' {why}; rewrite it with a supported type: {string.Join(", ", Supported.Order(StringComparer.Ordinal))}";
    }

    /// <summary>Parses one assertion, moving metric tags inside an assert-set up to the set first.</summary>
    /// <exception cref="JsonException">The assertion is invalid.</exception>
    public static AssertionSpec ToSpec(JsonObject assertion)
    {
        var copy = (JsonObject)assertion.DeepClone();
        HoistMetrics(copy);
        using var document = JsonDocument.Parse(copy.ToJsonString());
        return AssertionSpec.FromJson(document.RootElement);
    }

    /// <summary>
    /// A test's assertions. With a test <paramref name="threshold"/>, promptfoo passes the test when the weighted
    /// score of all its assertions reaches it: exactly an assert-set of them, so that is what they become.
    /// </summary>
    /// <exception cref="JsonException">An assertion is invalid, or thresholded assertions name different metrics.</exception>
    public static IReadOnlyList<AssertionSpec> ForTest(IReadOnlyList<JsonObject> assertions, double? threshold)
    {
        if (threshold is { } t && assertions.Count > 0)
        {
            var set = new JsonObject
            {
                ["type"] = AssertSetScorer.TypeName,
                ["threshold"] = t,
                ["assert"] = new JsonArray([.. assertions.Select(a => a.DeepClone())]),
            };
            try
            {
                return [ToSpec(set)];
            }
            catch (JsonException ex)
            {
                throw new JsonException($"the test's threshold {t} makes its assertions one {AssertSetScorer.TypeName}: {ex.Message}", ex);
            }
        }

        var specs = new List<AssertionSpec>();
        for (var i = 0; i < assertions.Count; i++)
        {
            try
            {
                specs.Add(ToSpec(assertions[i]));
            }
            catch (JsonException ex)
            {
                throw new JsonException($"assert[{i}]: {ex.Message}", ex);
            }
        }

        return specs;
    }

    // Metrics are fed by top-level assertions only. A set whose members name one metric takes it (promptfoo would
    // report them under it); members that name different metrics, or another one than the set, cannot be mapped.
    private static void HoistMetrics(JsonObject assertion)
    {
        if (assertion["assert"] is not JsonArray members)
        {
            return;
        }

        var named = new List<string>();
        foreach (var member in members.OfType<JsonObject>())
        {
            HoistMetrics(member);
            if (member["metric"] is JsonValue value && value.TryGetValue<string>(out var metric))
            {
                named.Add(metric);
                member.Remove("metric");
            }
        }

        var distinct = named.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var own = assertion["metric"] is JsonValue v && v.TryGetValue<string>(out var m) ? m : null;
        if (own is not null && distinct.Any(d => !string.Equals(d, own, StringComparison.OrdinalIgnoreCase)))
        {
            throw new JsonException($"a member names metric '{distinct.First(d => !string.Equals(d, own, StringComparison.OrdinalIgnoreCase))}' but the set is '{own}'; gatewayctl feeds metrics from top-level assertions only");
        }

        if (own is null && distinct.Count > 1)
        {
            throw new JsonException($"its members name different metrics ({string.Join(", ", distinct)}); gatewayctl feeds metrics from top-level assertions only, so put them in separate assert-sets");
        }

        if (own is null && distinct.Count == 1)
        {
            assertion["metric"] = distinct[0];
        }
    }
}
