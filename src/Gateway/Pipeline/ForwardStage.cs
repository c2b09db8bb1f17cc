using System.Diagnostics;
using LlmGateway.Accounting;
using LlmGateway.Budgets;
using LlmGateway.Proxy;
using LlmGateway.Resilience;
using LlmGateway.Sampling;
using LlmGateway.Shadow;
using LlmGateway.Streaming;
using LlmGateway.Telemetry;
using LlmGateway.Usage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace LlmGateway.Pipeline;

/// <summary>
/// Stage 4: forward through the rest of YARP's pipeline (retries and fallbacks in the resilient
/// forwarder), then complete: bill what the client received, settle the reservation, end the
/// response (before anything else runs), and hand one <see cref="ExchangeResult"/> to the usage counters, the sampler and
/// telemetry. Completion runs here, not in an outer stage, because the span must be current while
/// the provider is called and the held JSON body may go out only after the reservation is settled.
/// </summary>
internal sealed class ForwardStage(
    RequestDelegate next,
    ResilientForwarder forwarder,
    UsageAccountant accountant,
    BudgetGuard budgets,
    RequestSampler sampler,
    UsageRecorder usage,
    ShadowDispatcher shadow,
    LlmCallTelemetry telemetry,
    TimeProvider time)
{
    // Made once: a sampled request's taps start copying the response through it.
    private readonly Action<ResponseTap> _beginCapture = sampler.BeginCapture;

    public async Task InvokeAsync(HttpContext context)
    {
        var exchange = context.Features.GetRequiredFeature<LlmExchange>();
        // The exchange ends in this stage: its upstream bodies (a fallback's too, built while forwarding) go back to
        // the pool here, whatever happens (a request refused before this stage gives them back where it is refused).
        using var upstream = exchange.Upstream;
        // Decided before anything is sent, on the request id alone: no I/O, no waiting.
        var sampling = sampler.Decide(context, exchange);
        var requestedAt = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var activity = LlmCallTelemetry.Start(exchange);
        var originalBody = context.Request.Body;
        var originalResponse = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Request.Headers.Remove(HeaderNames.TransferEncoding);
        ForwardOutcome outcome;
        try
        {
            // The tap's settings, not a closure over them: nothing per request but the outcome. Awaited here, not in a
            // helper of its own: each async layer that waits on the provider is one more allocation per request.
            outcome = await forwarder.ForwardAsync(context, next, new ForwardRequest(
                exchange,
                StripUsageChunk: exchange.UsageInjected,
                HoldJson: !exchange.Stream,
                OnNewTap: sampling.Sampled ? _beginCapture : null));
        }
        finally
        {
            context.Request.Body = originalBody;
            context.Features.Set(originalResponse);
        }

        // Last to go (declared before the tap): it gives the forwarder's state for this request back to its pool, so
        // nothing below reads it once this method ends.
        using var forwarded = outcome;
        using var tap = outcome.Tap;
        AccountingRecord? record = null;
        if (tap is not null)
        {
            try
            {
                if (outcome.Error is null)
                {
                    await tap.FlushPendingAsync(cut: outcome.Interruption is not null, context.RequestAborted);
                }

                // A stream cut by the provider, or abandoned by the client, is still billed for what was
                // generated. So is every attempt the provider had whole and went on with while no answer of its reached
                // the client (the client left; the gateway timed it out, or its held JSON answer was cut, and retried):
                // the provider bills it as it bills any request it answers.
                if (outcome.Error is null && !outcome.LastAttemptAbandoned && context.Response.StatusCode < 400 && Answered(context))
                {
                    record = accountant.Account(outcome.ServedModel, exchange.InputEstimate, tap, requestedAt, exchange.ReservedOutputTokens, outcome.Interruption is not null, exchange.Scan.PriorityTier,
                        searchesAsked: ProviderToolUse.AsksChatSearch(exchange.ClientBody.WrittenSpan, exchange.Scan) ? 1 : 0);
                    if (outcome.Interruption is not null)
                    {
                        record = record with { Cut = true };
                    }
                }

                foreach (var attempt in outcome.Abandoned)
                {
                    var left = accountant.Abandoned(attempt.Model, exchange.InputEstimate, requestedAt, exchange.Stream ? 0 : exchange.ReservedOutputTokens, exchange.Scan.PriorityTier);
                    record = record is null ? left with { AbandonedAttempts = 1 } : record.WithAbandoned(left);
                }

                if (context.Features.Get<BudgetReservation>() is { } reservation)
                {
                    await budgets.SettleAsync(reservation, record);
                }

                await ClientWriteAsync(ResponseEnding.DeliverAsync(context, tap, outcome, record));
            }
            finally
            {
                // A held JSON body always goes out, whatever happened above (errors included).
                if (outcome.Error is null)
                {
                    await ClientWriteAsync(tap.ReleaseHeldAsync(context.RequestAborted));
                }
            }
        }

        await ClientWriteAsync(ResponseEnding.WriteErrorAsync(context, outcome));

        // The client's answer ends here (Kestrel writes the terminating chunk now, not when the pipeline
        // returns): the bookkeeping below — usage, the sample, a shadow copy, the span — never delays it.
        await EndResponseAsync(context, outcome, ProviderMayStillGenerateFor(exchange, outcome));
        // A provider's own 5xx, passed through (the gateway's are marked where they are written).
        HttpServerErrorType.Mark(context, context.Response.StatusCode);
        var result = Result(context, exchange, outcome, record, sampling, tap, requestedAt, Stopwatch.GetElapsedTime(started));
        usage.Record(result);
        if (exchange.Key.IsShadow)
        {
            ShadowPrincipal.Ended(context, result);
        }

        if (sampling.Sampled && tap is not null && !ShadowPrincipal.KeptOutOfPairs(context, result) && sampler.Offer(result) is { } sampleId && exchange.Prompt?.ShadowVersion is not null
            && !result.ClientGone && result.Status is < StatusCodes.Status400BadRequest or >= StatusCodes.Status500InternalServerError)
        {
            // After the client has its answer: the copy never delays it, and pairs with the sample just offered. Not when
            // the client left: a stable answer the user stopped, paired with the candidate's whole one, would judge the
            // candidate on how often users press stop. Nor when the provider refused the input or throttled (4xx): that
            // cost the client nothing, and copied, a candidate that answers it (a larger context) would spend the shadow
            // budget on whatever a client sends, and be judged on the client's bad input. The stable answer's duration
            // goes with it: a copy its own timeout cuts is not the candidate's failure when this answer took as long.
            shadow.Offer(exchange, result.ServedModel.Provider.RequestHeaders, context.Request, sampleId, result.Duration);
        }

        telemetry.Complete(activity, result);
    }

    /// <summary>
    /// A write to a client that may have left: the exchange is still counted, sampled and traced
    /// (what was billed is already settled), so a gone client is not an error here.
    /// </summary>
    private static async Task ClientWriteAsync(Task write)
    {
        try
        {
            await write;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Ends a response the client is still reading. Never throws: a gone client, an aborted connection or a body
    /// shorter than the provider's Content-Length (Kestrel refuses to complete it) must not cost the exchange its
    /// usage record, sample and span; Kestrel deals with the connection when the pipeline returns, as it would have.
    /// </summary>
    /// <param name="holdPlace">How long the key's concurrency place stays taken after this (zero: given back now).</param>
    private static async Task EndResponseAsync(HttpContext context, ForwardOutcome outcome, TimeSpan holdPlace)
    {
        // The key's concurrency place first: a client may send its next request the moment this one ends.
        context.Features.Get<KeyConcurrencySlot>()?.ReleaseAfter(holdPlace);
        if (outcome.ClientGone || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await context.Response.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// How long a provider may still be generating for this request once it ends: until the deadline of the latest of its
    /// attempts the gateway gave up while the provider had the whole request (the client left, a timer fired), when the
    /// request is not a stream. A provider goes on with a JSON request whose connection closed, and a client that hangs
    /// up on each request would otherwise keep any number of generations running under a cap of a few. A stream's
    /// generation stops with its connection. Zero for almost every request.
    /// </summary>
    private TimeSpan ProviderMayStillGenerateFor(LlmExchange exchange, ForwardOutcome outcome)
    {
        // A request a later attempt answered keeps no place: its client was served, and holding the place for a
        // provider's slowdown (a first-byte timeout, then a retry that answered) would refuse a well-behaved key.
        if (exchange.Stream || outcome.Abandoned.Count == 0 || (!outcome.ClientGone && outcome.Error is null))
        {
            return TimeSpan.Zero;
        }

        var latest = long.MinValue;
        foreach (var attempt in outcome.Abandoned)
        {
            latest = Math.Max(latest, attempt.Deadline(time));
        }

        var now = time.GetTimestamp();
        return latest > now ? time.GetElapsedTime(now, latest) : TimeSpan.Zero;
    }

    /// <summary>
    /// Whether this attempt's answer is the client's: it started reaching the client, or nothing went wrong, or only the
    /// request body's copy failed after the provider answered in full (YARP reports that beside the answer, which stands
    /// and is released to the client).
    /// </summary>
    private static bool Answered(HttpContext context) =>
        context.Response.HasStarted
        || context.GetForwarderErrorFeature()?.Error is null or ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient;

    private static ExchangeResult Result(
        HttpContext context, LlmExchange exchange, ForwardOutcome outcome, AccountingRecord? record, SamplingDecision sampling, ResponseTap? tap, DateTimeOffset requestedAt, TimeSpan duration)
    {
        var status = context.Response.StatusCode;
        var sampled = sampling.Sampled && tap is not null;
        // A provider's failure inside an answer whose status was already 200 (an error event in its stream): a failed
        // request for the counters and the rollout's error rate, not a served one.
        var failedInside = status < 400 && outcome.Error is null && outcome.Interruption is null && tap?.Usage.SawError == true;
        return new ExchangeResult
        {
            Exchange = exchange,
            ServedModel = outcome.ServedModel,
            Attempts = outcome.Attempts,
            Status = status,
            ContentType = context.Response.ContentType,
            ErrorType = outcome.Error?.Body.Code
                ?? (outcome.Interruption is { } interruption ? "stream_" + interruption.ToString().ToLowerInvariant()
                : status >= 400 ? GenAiAttributes.StatusErrorType(status)
                : failedInside ? "stream_error" : null),
            Record = record,
            Failed = outcome.Error is not null || outcome.Interruption is not null || status >= 500 || failedInside,
            Interruption = outcome.Interruption,
            ClientGone = outcome.ClientGone,
            ClientLeftAfterSilence = outcome.ClientLeftAfterSilence,
            FailureNote = outcome.Error?.Body.Message
                ?? (outcome.Interruption is not null ? $"The provider's stream was interrupted ({outcome.Interruption})."
                : tap?.ContentEncoding is { } coding ? $"The provider's response was content-encoded ({coding}); the gateway did not read it."
                : failedInside ? "The provider's answer carried an error event after its 200 status." : null),
            RequestedAt = requestedAt,
            Duration = duration,
            Sampling = sampling,
            ForwardedBody = outcome.Body ?? exchange.Upstream.First,
            SampledResponse = sampled ? tap!.TakeSampleBytes() : [],
            SampledResponseTruncated = sampled && tap!.SampleTruncated,
        };
    }
}
