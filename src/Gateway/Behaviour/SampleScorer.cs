using LlmGateway.Eval.Scoring;
using LlmGateway.Sampling;

namespace LlmGateway.Behaviour;

/// <summary>
/// Scores one sample: the built-in metrics, then the bundle's own assertions through the offline engine's
/// scorers (reference-free: no expected answer, no vars). A scorer that cannot score is an error reading,
/// never a pass. Judge assertions run only when <paramref name="judge"/> says this sample is judged.
/// </summary>
internal sealed class SampleScorer(ScorerRegistry scorers)
{
    public async ValueTask<IReadOnlyList<MetricObservation>> ScoreAsync(
        SampleRecord sample, OnlineEvalPlan plan, IJudgeAccess? judge, CancellationToken cancellationToken)
    {
        var observations = new List<MetricObservation>(16 + plan.Assertions.Count);
        var response = sample.Response;
        var failed = Failed(sample);
        // A stream the user stopped says nothing of the version's errors or latency (it ends where the user chose): no
        // reading of either, else a candidate whose longer answers users stop more often would read failing, and fast.
        var stopped = response.ClientStopped;
        if (!stopped)
        {
            observations.Add(MetricObservation.Event(OnlineMetrics.Error, failed));
        }

        if (!sample.Refused && !stopped)
        {
            // A request the gateway refused for its version got no answer, so no latency: its near-zero time would
            // make a candidate that fails fast read faster.
            observations.Add(MetricObservation.Measure(OnlineMetrics.LatencyMs, sample.LatencyMs));
        }

        var input = sample.Input;
        observations.Add(MetricObservation.Measure(OnlineMetrics.MessageCount, InputFeatures.MessageCount(input.Messages)));
        if (!sample.Refused)
        {
            // A refused request's record has no upstream request to read its tools from.
            observations.Add(MetricObservation.Event(OnlineMetrics.ToolUse, sample.Request?["tools"] is System.Text.Json.Nodes.JsonArray { Count: > 0 }));
        }
        if (InputFeatures.MostlyNonLatin(input.Messages, input.Variables) is { } nonLatin)
        {
            observations.Add(MetricObservation.Event(OnlineMetrics.NonLatinInput, nonLatin));
        }

        if (sample.Usage is { } usage)
        {
            observations.Add(MetricObservation.Measure(OnlineMetrics.InputTokens, usage.InputTokens));
            if (usage.CostUsd is { } cost)
            {
                observations.Add(MetricObservation.Measure(OnlineMetrics.CostUsd, (double)cost));
            }
        }

        if (sample.TimeToFirstTokenMs is { } ttft)
        {
            observations.Add(MetricObservation.Measure(OnlineMetrics.TimeToFirstTokenMs, ttft));
        }

        if (failed)
        {
            // What a failed answer said, how long it was, or whether it refused, says nothing about the version.
            return observations;
        }

        if (sample.Usage is { } used)
        {
            observations.Add(MetricObservation.Measure(OnlineMetrics.OutputTokens, used.OutputTokens));
        }

        // A record cut by the capture's cap lacks the answer's end (its finish reason, its last words); one the stored
        // size cap shortened was read whole first, so its finish reason and refusal field stand.
        var endSeen = !response.Cut || response.FinishReason is not null;
        if (endSeen)
        {
            // Chat's and completions' "length", the Responses API's "max_output_tokens": the same token limit.
            observations.Add(MetricObservation.Event(OnlineMetrics.Truncation, response.FinishReason is "length" or "max_output_tokens"));
        }

        var scoring = new ScoringInput
        {
            Output = response.Text ?? response.Refusal ?? "",
            ToolCalls = [.. response.ToolCalls.Select(c => new ToolCall(c.Name ?? "", c.Arguments))],
            LatencyMs = sample.LatencyMs,
            CostUsd = sample.Usage?.CostUsd,
            OutputTokens = sample.Usage is { } u ? (int)Math.Min(u.OutputTokens, int.MaxValue) : null,
        };

        // The refusal heuristic is the dearest scorer: run once, for the built-in metric and any is-refusal assertion.
        // An answer made only of tool calls declined nothing (the heuristic would count its empty text as a refusal).
        var toolCallsOnly = OnlyToolCalls(sample);
        ScoreResult? heuristic = toolCallsOnly ? ScoreResult.Failed("an answer made only of tool calls is no refusal") : null;
        async ValueTask<ScoreResult> RefusalHeuristicAsync() => heuristic ??= await scorers.ScoreAsync(RefusalAssertion, scoring, cancellationToken);

        if (response.Refusal is not null || !response.Cut)
        {
            observations.Add(MetricObservation.Event(OnlineMetrics.Refusal, response.Refusal is not null
                || (string.IsNullOrEmpty(response.Text)
                    ? response.ToolCalls.Count == 0 // an answer made only of tool calls declined nothing; is-refusal would count the empty text
                    : (await RefusalHeuristicAsync()).Pass)));
        }

        foreach (var assertion in plan.Assertions)
        {
            ScoreResult result;
            if (response.Cut && assertion.ReadsText)
            {
                // The text is a prefix of the answer: its verdict cannot be read from it, so an error reading, never a
                // fail (and never a judge's call). The limits read what the hot path measured, and stand.
                if (!assertion.NeedsJudge || judge is not null)
                {
                    observations.Add(MetricObservation.Error(assertion.Metric, MetricKind.Rate));
                }

                continue;
            }

            if (assertion.NeedsJudge)
            {
                // No text to grade: a tool-call turn takes no judge grant (OnlineEvaluator), and gets no reading.
                if (judge is null || toolCallsOnly)
                {
                    continue;
                }

                result = await judge.Registry.ScoreAsync(assertion.Spec, scoring, cancellationToken);
                if (!result.IsError)
                {
                    observations.Add(MetricObservation.Measure(assertion.Metric + OnlineEvalPlan.ScoreSuffix, result.Score));
                }
            }
            else if (RefusalAssertionNegated(assertion.Spec) is { } negated)
            {
                var plain = await RefusalHeuristicAsync();
                result = negated ? plain.Negate() : plain;
            }
            else
            {
                result = await scorers.ScoreAsync(assertion.Spec, scoring, cancellationToken);
            }

            observations.Add(result.IsError
                ? MetricObservation.Error(assertion.Metric, MetricKind.Rate)
                : new MetricObservation(assertion.Metric, MetricKind.Rate, result.Pass ? 1 : 0, result.Pass));
        }

        return observations;
    }

    /// <summary>An error status (a refusal's too), an error, or a cut answer: scored for its error, cost and timing, never judged.</summary>
    public static bool Failed(SampleRecord sample) =>
        sample.Response.Status >= 400 || sample.Response.Error is not null || !sample.Response.Complete;

    private static readonly AssertionSpec RefusalAssertion = new("is-refusal");

    /// <summary>For a plain <c>is-refusal</c> (false) or <c>not-is-refusal</c> (true) assertion; null for any other.</summary>
    /// <summary>An answer made only of tool calls: no text (nor refusal) for a judge or the refusal heuristic to read.</summary>
    public static bool OnlyToolCalls(SampleRecord sample) =>
        string.IsNullOrEmpty(sample.Response.Text) && sample.Response.Refusal is null && sample.Response.ToolCalls.Count > 0;

    private static bool? RefusalAssertionNegated(AssertionSpec spec)
    {
        if (spec.Value is not null && spec.Value.Value.ValueKind is not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined))
        {
            return null;
        }

        var type = spec.Type.Trim();
        return type.Equals("is-refusal", StringComparison.OrdinalIgnoreCase) ? false
            : type.Equals(ScorerRegistry.NegationPrefix + "is-refusal", StringComparison.OrdinalIgnoreCase) ? true
            : null;
    }
}
