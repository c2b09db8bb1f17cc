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
        var failed = response.Status >= 400 || response.Error is not null || !response.Complete;
        observations.Add(MetricObservation.Event(OnlineMetrics.Error, failed));
        observations.Add(MetricObservation.Measure(OnlineMetrics.LatencyMs, sample.LatencyMs));

        var input = sample.Input;
        observations.Add(MetricObservation.Measure(OnlineMetrics.MessageCount, InputFeatures.MessageCount(input.Messages)));
        observations.Add(MetricObservation.Event(OnlineMetrics.ToolUse, sample.Request?["tools"] is System.Text.Json.Nodes.JsonArray { Count: > 0 }));
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

        observations.Add(MetricObservation.Event(OnlineMetrics.Truncation, string.Equals(response.FinishReason, "length", StringComparison.Ordinal)));

        var scoring = new ScoringInput
        {
            Output = response.Text ?? response.Refusal ?? "",
            ToolCalls = [.. response.ToolCalls.Select(c => new ToolCall(c.Name ?? "", c.Arguments))],
            LatencyMs = sample.LatencyMs,
            CostUsd = sample.Usage?.CostUsd,
            OutputTokens = sample.Usage is { } u ? (int)Math.Min(u.OutputTokens, int.MaxValue) : null,
        };

        observations.Add(MetricObservation.Event(OnlineMetrics.Refusal, await IsRefusalAsync(response, scoring, cancellationToken)));

        foreach (var assertion in plan.Assertions)
        {
            ScoreResult result;
            if (assertion.NeedsJudge)
            {
                if (judge is null)
                {
                    continue;
                }

                result = await judge.Registry.ScoreAsync(assertion.Spec, scoring, cancellationToken);
                if (!result.IsError)
                {
                    observations.Add(MetricObservation.Measure(assertion.Metric + OnlineEvalPlan.ScoreSuffix, result.Score));
                }
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

    private static readonly AssertionSpec RefusalAssertion = new("is-refusal");

    private async ValueTask<bool> IsRefusalAsync(SampleResponse response, ScoringInput scoring, CancellationToken cancellationToken)
    {
        if (response.Refusal is not null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(response.Text))
        {
            // An answer made only of tool calls declined nothing; is-refusal would count the empty text.
            return response.ToolCalls.Count == 0;
        }

        var result = await scorers.ScoreAsync(RefusalAssertion, scoring, cancellationToken);
        return result.Pass;
    }
}
