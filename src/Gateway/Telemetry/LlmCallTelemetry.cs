using System.Diagnostics;
using LlmGateway.Accounting;
using LlmGateway.Pipeline;
using LlmGateway.Providers;

namespace LlmGateway.Telemetry;

/// <summary>
/// The gateway's span and metrics for one LLM call, in the GenAI semantic conventions plus the
/// prompt version that made it. Tags carry names and versions only: never user ids or text.
/// </summary>
internal sealed class LlmCallTelemetry(GatewayMetrics metrics)
{
    /// <summary>Starts the <c>{operation} {model}</c> client span; YARP's forwarding span nests under it.</summary>
    public static Activity? Start(LlmExchange exchange)
    {
        var source = GatewayTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        var request = exchange;
        var operation = GenAiAttributes.Operation(exchange.Endpoint);
        var activity = source.StartActivity($"{operation} {request.Model.UpstreamModel}", ActivityKind.Client);
        if (activity is null || !activity.IsAllDataRequested)
        {
            // Not recorded (sampled out: the span only carries the trace context on): no exporter ever reads its tags,
            // and each tag is a node on the heap, so they are set only on a recorded span.
            return activity;
        }

        activity.SetTag(GenAiAttributes.OperationName, operation);
        activity.SetTag(GenAiAttributes.ProviderName, GenAiAttributes.Provider(request.Model.Provider));
        activity.SetTag(GenAiAttributes.RequestModel, request.Model.UpstreamModel);
        activity.SetTag(GenAiAttributes.GatewayModel, request.Model.Name);
        activity.SetTag(GenAiAttributes.RequestId, request.RequestId);
        if (request.Prompt is { } prompt)
        {
            activity.SetTag(GenAiAttributes.PromptName, prompt.Bundle.Name);
            activity.SetTag(GenAiAttributes.PromptVersion, prompt.Bundle.Version);
            activity.SetTag(GenAiAttributes.PromptVariant, prompt.Variant);
        }

        return activity;
    }

    /// <summary>Ends the span and records the call's metrics, tagged with model, provider and prompt version.</summary>
    public void Complete(Activity? activity, ExchangeResult outcome)
    {
        var exchange = outcome.Exchange;
        var served = outcome.ServedModel;
        var operation = GenAiAttributes.Operation(exchange.Endpoint);
        var tags = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.ProviderName, GenAiAttributes.Provider(served.Provider) },
            { GenAiAttributes.RequestModel, served.UpstreamModel },
        };
        if (exchange.Prompt is { } prompt)
        {
            tags.Add(GenAiAttributes.PromptName, prompt.Bundle.Name);
            tags.Add(GenAiAttributes.PromptVersion, prompt.Bundle.VersionText);
            tags.Add(GenAiAttributes.PromptVariant, prompt.Variant);
        }

        var record = outcome.Record;
        if (record?.ResponseModel is { } responseModel)
        {
            tags.Add(GenAiAttributes.ResponseModel, responseModel);
        }

        if (outcome.ErrorType is { } errorType)
        {
            tags.Add(GenAiAttributes.ErrorType, errorType);
        }

        metrics.OperationDuration.Record(outcome.Duration.TotalSeconds, tags);
        metrics.RequestBodySize.Record(exchange.ClientBody.Length, tags);
        if (record is not null)
        {
            RecordUsage(record, tags);
        }

        if (activity is null)
        {
            return;
        }

        // As in Start: the tags (and the numbers boxed into them) only on a recorded span; the status always.
        if (activity.IsAllDataRequested)
        {
            SetResultTags(activity, outcome);
        }

        if (outcome.ErrorType is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        activity.Dispose();
    }

    private static void SetResultTags(Activity activity, ExchangeResult outcome)
    {
        var record = outcome.Record;
        activity.SetTag(GenAiAttributes.HttpStatus, outcome.Status);
        activity.SetTag(GenAiAttributes.Attempts, outcome.Attempts);
        if (outcome.ServedModel != outcome.Exchange.Model)
        {
            activity.SetTag(GenAiAttributes.ServedModel, outcome.ServedModel.Name);
        }

        if (record is not null)
        {
            activity.SetTag(GenAiAttributes.ResponseModel, record.ResponseModel);
            activity.SetTag(GenAiAttributes.InputTokens, record.InputTokens);
            activity.SetTag(GenAiAttributes.OutputTokens, record.OutputTokens);
            activity.SetTag(GenAiAttributes.UsageSource, record.Source);
            if (record.FinishReason is { } finish)
            {
                activity.SetTag(GenAiAttributes.FinishReasons, new[] { finish });
            }

            if (record.CostUsd is { } cost)
            {
                activity.SetTag(GenAiAttributes.CostUsd, (double)cost);
            }
        }

        if (outcome.Sampling.Sampled)
        {
            activity.SetTag(GenAiAttributes.Sampled, true);
        }

        if (outcome.ErrorType is { } error)
        {
            activity.SetTag(GenAiAttributes.ErrorType, error);
        }
    }

    private void RecordUsage(AccountingRecord record, in TagList tags)
    {
        var input = tags;
        input.Add(GenAiAttributes.TokenType, "input");
        metrics.TokenUsage.Record(record.InputTokens, input);
        var output = tags;
        output.Add(GenAiAttributes.TokenType, "output");
        metrics.TokenUsage.Record(record.OutputTokens, output);
        if (record.TimeToFirstTokenMs is { } ttft)
        {
            metrics.TimeToFirstChunk.Record(ttft / 1000, tags);
        }

        if (record.CostUsd is { } cost)
        {
            metrics.Cost.Add((double)cost, tags);
        }
        else
        {
            metrics.UnpricedRequests.Add(1, tags);
        }

        if (record.Source != AccountingRecord.Reported)
        {
            metrics.TokenizerFallbacks.Add(1, tags);
        }

        if (record.UnreadableEvents > 0)
        {
            metrics.UnreadableProviderEvents.Add(record.UnreadableEvents, tags);
        }
    }
}
