using System.Diagnostics.Metrics;
using System.Globalization;
using LlmGateway.Contracts.Releases;
using LlmGateway.Releases;

namespace LlmGateway.Telemetry;

/// <summary>
/// The gateway's own instruments, created through <see cref="IMeterFactory"/> (each host its own meter, disposed with
/// it). OpenTelemetry picks meters by name, though, so every host in one process (test gateways) exports all of them.
/// </summary>
internal sealed class GatewayMetrics
{
    public GatewayMetrics(IMeterFactory meters, ReleaseSnapshotProvider snapshots)
    {
        var meter = meters.Create(GatewayTelemetry.Name);
        SnapshotRefreshFailures = meter.CreateCounter<long>(
            "gateway.releases.refresh.failures", description: "Release refreshes that failed; the last known good snapshot was kept.");
        meter.CreateObservableGauge(
            "gateway.releases.snapshot.age",
            () => snapshots.Age == TimeSpan.MaxValue ? -1 : snapshots.Age.TotalSeconds,
            unit: "s",
            description: "Seconds since the release snapshot was last confirmed against the store.");
        meter.CreateObservableGauge(
            "gateway.releases.snapshot.stale",
            () => snapshots.IsServingLastKnownGood ? 1 : 0,
            description: "1 while the store is unreachable and the last known good snapshot is served.");
        meter.CreateObservableGauge("gateway.releases.count", () => snapshots.Current.Count, description: "Releases in the snapshot.");
        ReleaseActivations = meter.CreateCounter<long>(
            "gateway.release.activations",
            description: "Committed release changes made (or external changes recorded) by this instance, by prompt, environment, action and version; Grafana sums over instances to annotate them.");
        UnpricedRequests = meter.CreateCounter<long>("gateway.accounting.unpriced_requests", description: "Requests whose model has no price in the pricing table.");
        BudgetChecksSkipped = meter.CreateCounter<long>("gateway.budgets.checks_skipped", description: "Budget checks not made because the store was unreachable.");
        BudgetOverruns = meter.CreateCounter<long>("gateway.budgets.overrun_tokens", unit: "{token}", description: "Tokens a provider reported beyond what the request had reserved.");
        UsageSamplesDropped = meter.CreateCounter<long>("gateway.usage.samples_dropped", description: "Usage samples dropped because the counter writer fell behind, or lost with a write the store refused.");
        AdminRefusalsUnaudited = meter.CreateCounter<long>("gateway.admin.refusals_unaudited", description: "Refused admin requests not written to the audit log, by reason (missing_token, invalid_token, rate_limited, admin_disabled, actor_limit, audited_action_limit).");

        // GenAI semantic conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/).
        TokenUsage = meter.CreateHistogram<long>(
            "gen_ai.client.token.usage", unit: "{token}", description: "Tokens used per request, by gen_ai.token.type.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] });
        OperationDuration = meter.CreateHistogram<double>(
            "gen_ai.client.operation.duration", unit: "s", description: "Time from forwarding a request to the end of its response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        TimeToFirstChunk = meter.CreateHistogram<double>(
            "gen_ai.client.operation.time_to_first_chunk", unit: "s", description: "Time from forwarding a request to the first generated text.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24] });
        Cost = meter.CreateCounter<double>("gateway.cost.usd", unit: "{USD}", description: "Cost of priced requests in US dollars.");
        RequestBodySize = meter.CreateHistogram<long>(
            "gateway.request.body.size", unit: "By", description: "Size of the application's request body: shifts show input drift.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] });
        SamplesTaken = meter.CreateCounter<long>("gateway.samples.taken", description: "Requests sampled for evaluation, by reason (rate, floor, forced).");
        SamplesDropped = meter.CreateCounter<long>("gateway.samples.dropped", description: "Samples dropped before storage, by cause; requests were never affected.");
        Redactions = meter.CreateCounter<long>("gateway.redactions", description: "Values redacted from samples before storage, by kind.");
        TokenizerFallbacks = meter.CreateCounter<long>("gateway.tokenizer.fallbacks", description: "Token counts estimated with a tokenizer because the provider reported none.");
        UnreadableProviderEvents = meter.CreateCounter<long>("gateway.upstream.unreadable_events", description: "Provider response events the gateway could not read (malformed JSON, invalid UTF-8, lone surrogates); the bytes still reached the client.");
        RewriteErrors = meter.CreateCounter<long>("gateway.rewrite.errors", description: "Prompt requests refused because rendering or rewriting failed.");
        VersionRefusals = meter.CreateCounter<long>("gateway.prompt.refusals", description: "Prompt requests the chosen version refused before sending (its render, rewrite or model's limit), where the stable version would have served them: failed requests of that version and arm, with no time of their own (so kept out of gen_ai.client.operation.duration).");
        UpstreamAttempts = meter.CreateCounter<long>("gateway.upstream.attempts", description: "Upstream attempts, by the served model and how the request ended (served, or the last failure).");
        UpstreamRetries = meter.CreateCounter<long>("gateway.upstream.retries", description: "Attempts after the first, by the reason the previous one failed.");
        UpstreamFallbacks = meter.CreateCounter<long>("gateway.upstream.fallbacks", description: "Requests handed to a fallback model, by model and fallback.");
    }

    public Counter<long> SnapshotRefreshFailures { get; }

    /// <summary>Release changes this instance committed, one per activation event written to history.</summary>
    public Counter<long> ReleaseActivations { get; }

    /// <summary>Requests whose model has no price: their cost is unknown, never counted as 0.</summary>
    public Counter<long> UnpricedRequests { get; private init; } = null!;

    /// <summary>Budget checks not made because the store was unreachable (tagged allowed/refused by policy).</summary>
    public Counter<long> BudgetChecksSkipped { get; private init; } = null!;

    /// <summary>Tokens a provider reported beyond the request's reservation (the reservation should be an upper bound).</summary>
    public Counter<long> BudgetOverruns { get; private init; } = null!;

    /// <summary>Usage samples dropped because the counter writer fell behind.</summary>
    public Counter<long> UsageSamplesDropped { get; private init; } = null!;
    public Counter<long> AdminRefusalsUnaudited { get; private init; } = null!;

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> OperationDuration { get; }

    public Histogram<double> TimeToFirstChunk { get; }

    public Counter<double> Cost { get; }

    public Histogram<long> RequestBodySize { get; }

    public Counter<long> SamplesTaken { get; }

    public Counter<long> SamplesDropped { get; }

    public Counter<long> Redactions { get; }

    public Counter<long> TokenizerFallbacks { get; }

    public Counter<long> UnreadableProviderEvents { get; }

    public Counter<long> RewriteErrors { get; }

    public Counter<long> VersionRefusals { get; }

    public Counter<long> UpstreamAttempts { get; }

    public Counter<long> UpstreamRetries { get; }

    public Counter<long> UpstreamFallbacks { get; }

    /// <summary>Counts one committed release change: call only after its activation event was written.</summary>
    public void RecordActivation(ActivationEvent activation) =>
        ReleaseActivations.Add(
            1,
            new KeyValuePair<string, object?>("prompt", activation.Prompt),
            new KeyValuePair<string, object?>("environment", activation.Environment ?? ""),
            new KeyValuePair<string, object?>("action", activation.Action),
            new KeyValuePair<string, object?>("version", activation.Version?.ToString(CultureInfo.InvariantCulture) ?? ""));
}
