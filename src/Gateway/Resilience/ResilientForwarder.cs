using System.Buffers;
using System.Diagnostics;
using LlmGateway.Audit;
using LlmGateway.Errors;
using LlmGateway.Pipeline;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Streaming;
using LlmGateway.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using Polly;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Resilience;

/// <summary>
/// Sends one request upstream through the rest of the YARP pipeline, as many times as it safely
/// can: retries (Polly, per model) on connection failures, first-byte timeouts and retryable
/// statuses, then the model's fallbacks, never once any byte of a response has reached the
/// client. Each attempt replays the pooled body; a retryable error response is held back from the
/// client until it is known to be the last.
/// </summary>
internal sealed class ResilientForwarder(
    IProxyStateLookup proxyState, DestinationBreakers breakers, GatewayMetrics metrics, TimeProvider time, IOptions<ProxyOptions> options,
    Accounting.PricingTable pricing, IOptions<Budgets.BudgetOptions> budgets, ILogger<ResilientForwarder> logger)
{
    public const string AttemptsHeader = "X-Gateway-Attempts";
    public const string ServedModelHeader = "X-Gateway-Served-Model";

    /// <summary>
    /// A client that leaves after the provider has been silent this long left a stall (its own read timeout), not an
    /// answer it chose to stop: tokens come tens of milliseconds apart while a model is answering.
    /// </summary>
    public static readonly TimeSpan ClientLeftSilence = TimeSpan.FromSeconds(3);

    // Requests' attempt states (with their outcome), kept for the next requests: the outcome's Dispose gives one back.
    private static readonly ObjectPool<AttemptState> States = new DefaultObjectPool<AttemptState>(new DefaultPooledObjectPolicy<AttemptState>(), 1024);

    private readonly int _maxLineBytes = options.Value.EffectiveMaxProviderLineBytes;

    // A provider's refused credentials, logged once a minute per provider: every request fails the same way until fixed.
    private readonly KeyedWindowLimiter _authFailureLogs = new(time, TimeSpan.FromMinutes(1), limit: 1);

    public async ValueTask<ForwardOutcome> ForwardAsync(HttpContext context, RequestDelegate next, ForwardRequest forward)
    {
        var exchange = forward.Exchange;
        var candidates = exchange.Model.Candidates(exchange.AllowModelFallback);
        var deadline = time.GetTimestamp() + (long)(exchange.Model.Resilience.TotalTimeout.TotalSeconds * time.TimestampFrequency);
        var state = States.Get();
        state.Start(this, context, next, forward, deadline);
        try
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                var model = candidates[i];
                // A deployment is out for this model when its own circuit is open, or the model's on it (its 429s, its timeouts).
                if (!proxyState.TryGetCluster(model.Provider.ClusterId, out var cluster) || breakers.AvailableFor(cluster, model.UpstreamModel).Count == 0)
                {
                    state.MarkUnavailable(model);
                    continue;
                }

                if (model != exchange.Model && !CanBill(exchange, model))
                {
                    // A spend limit cannot count what a model without a price costs: its reservation left it out, and
                    // so does its routing.
                    ResilienceLog.UnpricedFallbackSkipped(logger, exchange.Model.Name, model.Name);
                    continue;
                }

                if (model != exchange.Model)
                {
                    metrics.UpstreamFallbacks.Add(1, new(GenAiAttributes.GatewayModel, exchange.Model.Name), new("fallback", model.Name));
                    ResilienceLog.FallingBack(logger, exchange.Model.Name, model.Name, state.Last?.Reason ?? "no_destination");
                }

                state.Candidate = model;
                state.Cluster = cluster;
                // The first attempt runs here, outside Polly and without an async method of its own: most requests need
                // no retry, and the retry pipeline's state machines and context, and one more async layer waiting on the
                // provider, cost most of a kilobyte per request. A retryable first result goes to Polly as its first
                // attempt's (replayed, not sent again), so the retries and their backoff are Polly's as before.
                if (state.ClientLifetime.RequestAborted.IsCancellationRequested)
                {
                    // Gone before this model's first attempt: nothing is sent (Polly made the same check before its first).
                    return ClientLeft(state);
                }

                var first = Begin(state);
                if (first is null)
                {
                    try
                    {
                        await state.Next(context);
                    }
                    finally
                    {
                        state.RestoreFeatures();
                    }

                    first = End(state);
                }

                var result = first.Kind == AttemptKind.Retryable ? await RetryAsync(model.Resilience.Retry, state, first) : first;
                if (result.Kind == AttemptKind.Unavailable)
                {
                    state.MarkUnavailable(model);
                    if (state.Model == model)
                    {
                        // An attempt was prepared for this model (the previous model's response is gone)
                        // before YARP found no destination: that is now the last word.
                        state.Last = result;
                    }

                    continue;
                }

                state.Last = result;
                if (result.Kind is AttemptKind.Done or AttemptKind.ClientGone)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (state.ClientLifetime.RequestAborted.IsCancellationRequested)
        {
            // The client left during a backoff.
            return ClientLeft(state);
        }
        catch
        {
            // Nothing else is expected here; if it happens, the timers and spent taps still go back.
            state.Abandon();
            throw;
        }

        return await FinishAsync(state);
    }

    /// <summary>
    /// The client left between attempts (during a backoff, or before a fallback's first): the attempts made are counted,
    /// outcome <c>client_gone</c>, as when it leaves during one (their retries are counted already).
    /// </summary>
    private ForwardOutcome ClientLeft(AttemptState s)
    {
        if (s.Number > 0)
        {
            metrics.UpstreamAttempts.Add(s.Number, new(GenAiAttributes.GatewayModel, s.Model.Name), new("outcome", "client_gone"));
        }

        return s.Outcome(clientGone: true);
    }

    /// <summary>
    /// One model's attempts after a retryable first one, under its retry pipeline: Polly's first attempt is the one
    /// already made (its outcome replayed), so Polly decides whether to retry it and how long to wait, exactly as if it
    /// had made it. The attempt hands Polly its <see cref="Outcome{TResult}"/> itself (<c>ExecuteOutcomeAsync</c> with a
    /// pooled context): no state machine per attempt to make one. An attempt that fails with an exception returns it as
    /// its outcome (never retried: the strategy's predicate reads only results), and it is thrown again here, as
    /// <c>ExecuteAsync</c> would have.
    /// </summary>
    private static async ValueTask<AttemptResult> RetryAsync(ResiliencePipeline<AttemptResult> retry, AttemptState state, AttemptResult first)
    {
        if (state.ClientLifetime.RequestAborted.IsCancellationRequested)
        {
            // Polly would end here too, with the attempt's own result, once it saw the client gone.
            return first;
        }

        var resilience = ResilienceContextPool.Shared.Get(state.ClientLifetime.RequestAborted);
        state.Replay = first;
        try
        {
            var outcome = await retry.ExecuteOutcomeAsync(
                static (_, s) => s.TakeReplay() is { } replayed ? ValueTask.FromResult(Outcome.FromResult(replayed)) : s.Owner.AttemptAsync(s), resilience, state);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    /// <summary>A retry: one attempt, its failure returned as its outcome (Polly's contract for <c>ExecuteOutcomeAsync</c>).</summary>
    private async ValueTask<Outcome<AttemptResult>> AttemptAsync(AttemptState s)
    {
        try
        {
            if (Begin(s) is { } early)
            {
                return Outcome.FromResult(early);
            }

            try
            {
                await s.Next(s.Context);
            }
            finally
            {
                s.RestoreFeatures();
            }

            return Outcome.FromResult(End(s));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<AttemptResult>(ex);
        }
    }

    /// <summary>
    /// Prepares an attempt of <see cref="AttemptState.Candidate"/>: the body, the timers, the tap and the features YARP
    /// reads. Returns the attempt's result when it cannot be made (no time or no destination left); null when the
    /// caller is to send it through the rest of the pipeline, then restore the features and call <see cref="End"/>.
    /// </summary>
    private AttemptResult? Begin(AttemptState s)
    {
        var context = s.Context;
        var model = s.Candidate!;
        if (time.GetTimestamp() >= s.Deadline)
        {
            s.Error = GatewayError.UpstreamTimeout(model.Provider.Name);
            return new AttemptResult(AttemptKind.Done, "total_timeout");
        }

        var cluster = s.Cluster!;
        var available = breakers.AvailableFor(cluster, model.UpstreamModel);
        if (available.Count == 0)
        {
            // The circuit opened during this request (e.g. its own earlier attempts tripped it).
            return new AttemptResult(AttemptKind.Unavailable, "no_destination");
        }

        if (s.Number > 0)
        {
            s.ResetForNextAttempt();
            metrics.UpstreamRetries.Add(1, new(GenAiAttributes.GatewayModel, model.Name), new("reason", s.Previous?.Reason ?? "unknown"));
        }

        s.Number++;
        // Polly's backoff starts again for each model: its attempts are counted apart.
        s.ModelAttempts = s.Model == model ? s.ModelAttempts + 1 : 1;
        s.Model = model;
        var body = s.Forward.Exchange.Upstream.For(model);
        context.Request.Body = body.AsStream();
        if (context.Request.ContentLength != body.Length)
        {
            // Only when it changed (a rewrite): setting it formats a new header value, once per request otherwise.
            context.Request.ContentLength = body.Length;
        }
        context.Response.Headers[AttemptsHeader] = s.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers[ServedModelHeader] = model.Name;

        var policy = model.Resilience;
        var timer = new AttemptTimer(policy.FirstByteTimeout, policy.IdleTimeout, s.Deadline, time, s.ClientLifetime.RequestAborted);
        // After an attempt the key is billed for, a JSON reply (a stream's error too) is held so its headers can say so.
        var tap = ResponseTap.Rent(s.ResponseBody, context.Response, s.Forward.StripUsageChunk, s.Forward.HoldJson || s.HasAbandoned, policy.RetryStatuses, timer, _maxLineBytes);
        s.Forward.OnNewTap?.Invoke(tap);
        s.Track(tap, timer, body, new ForwardingLifetime(s.ClientLifetime, timer));

        s.Reset = context.Features.Get<IHttpResetFeature>();
        context.Features.Set<IHttpRequestLifetimeFeature>(s.Lifetime);
        // Without a reset feature YARP aborts through the lifetime, which only records it.
        context.Features.Set<IHttpResetFeature>(null);
        context.Features.Set<IHttpResponseBodyFeature>(tap);
        context.Features.Set<IUpstreamAttemptFeature>(s);
        context.ReassignProxyRequest(cluster);
        if (!ReferenceEquals(available, cluster.DestinationsState.AvailableDestinations))
        {
            // Load balancing picks among the deployments in rotation for this model only.
            context.GetReverseProxyFeature().AvailableDestinations = available;
        }

        return null;
    }

    /// <summary>Classifies an attempt that went through the pipeline (its features already restored).</summary>
    private AttemptResult End(AttemptState s)
    {
        var model = s.Model;
        var result = Classify(s, s.Context, s.Lifetime!, s.Lifetime!.Timer, model.Resilience);
        s.Previous = result;
        if (result.Kind == AttemptKind.Retryable)
        {
            Activity.Current?.AddEvent(new ActivityEvent("gateway.attempt_failed", tags: new ActivityTagsCollection
            {
                ["gateway.attempt"] = s.Number,
                ["gateway.model"] = model.Name,
                ["reason"] = result.Reason,
            }));
        }

        return result;
    }

    private AttemptResult Classify(AttemptState s, HttpContext context, ForwardingLifetime lifetime, AttemptTimer timer, ResiliencePolicy policy)
    {
        if (lifetime.ClientGone)
        {
            // The request's body is the gateway's own buffer: read to its end, the provider has the request whole.
            // Not when the provider had already answered with an error status (nothing was generated to bill), nor with a
            // whole answer the tap holds (billed from what it says); a success still arriving when the client left was
            // generated whole, and is billed at its bound.
            if ((s.Tap?.SawResponse != true || (s.Tap.ProviderStatus < StatusCodes.Status400BadRequest && context.GetForwarderErrorFeature() is not null))
                && ProviderHasWholeRequest(context))
            {
                s.MarkAbandoned();
            }

            return new AttemptResult(AttemptKind.ClientGone, "client_gone");
        }

        var error = context.GetForwarderErrorFeature()?.Error;
        var fired = timer.Fired;
        if (context.Response.HasStarted)
        {
            // Bytes reached the client: whatever happens now, this attempt is the answer. A stream that had said it was
            // over ([DONE], response.completed) before its connection stalled or broke is whole: no error event after
            // the end, no cut bill, no failure for the breaker.
            if (s.Tap?.StreamEnded != true
                && (lifetime.AbortRequested || s.Tap?.LineCapExceeded == true || error is ForwarderError.ResponseBodyDestination or ForwarderError.ResponseBodyCanceled))
            {
                s.Interruption = s.Tap?.LineCapExceeded == true ? StreamInterruption.Oversized
                    : fired is UpstreamTimeout.Idle ? StreamInterruption.Stalled
                    : fired is UpstreamTimeout.Total ? StreamInterruption.TimedOut
                    : StreamInterruption.Cut;
            }

            return AttemptResult.Success;
        }

        if (fired == UpstreamTimeout.Total)
        {
            MarkIfLeftWithProvider(s, context);
            s.Error = GatewayError.UpstreamTimeout(s.Model.Provider.Name);
            return new AttemptResult(AttemptKind.Done, "total_timeout");
        }

        // Before the forwarder's errors: a provider that answers 401 without reading a large body leaves YARP a
        // request-body error beside the provider's status (which YARP never sets to 401 itself). The provider's own
        // status too: a 401 whose body was then cut or stalled reads 502 here (YARP replaced the held answer).
        var status = context.Response.StatusCode;
        if (status == StatusCodes.Status401Unauthorized || s.Tap?.ProviderStatus == StatusCodes.Status401Unauthorized)
        {
            // The provider refused the gateway's own key: a configuration fault the client cannot fix, whose text
            // (OpenAI's quotes part of the key) must not reach it (the tap held it; an empty one never started the
            // response either). Not retried, and no fallback: the same key fails the same way, and a fallback would
            // hide a fault the operators must fix.
            var provider = s.Model.Provider.Name;
            if (_authFailureLogs.TryAcquire(provider))
            {
                ResilienceLog.UpstreamAuthFailed(logger, provider, s.Model.Name);
            }

            s.Error = GatewayError.UpstreamAuthFailed(provider);
            return new AttemptResult(AttemptKind.Done, "upstream_auth");
        }

        // The provider answered without reading the whole request body (e.g. a 413): YARP reports the body copy after
        // a complete response. Not when YARP replaced the answer (its response body failed too): that is a cut answer.
        var answeredEarly = AnsweredBeforeTheWholeBody(s);
        if (answeredEarly && !policy.RetryStatuses.Contains(status))
        {
            // The answer stands; retrying would re-bill it. A retryable status generated nothing: it is retried below,
            // as if the provider had read the body first.
            return AttemptResult.Success;
        }

        if (error is { } forwarderError && !answeredEarly)
        {
            var timedOut = fired != UpstreamTimeout.None || forwarderError == ForwarderError.RequestTimedOut;
            if ((timedOut || forwarderError is ForwarderError.ResponseBodyDestination or ForwarderError.ResponseBodyCanceled)
                && MarkIfLeftWithProvider(s, context) && context.Features.Get<Budgets.BudgetReservation>() is not null)
            {
                // The provider goes on and bills this attempt, and the key's reservation covers one: another attempt
                // (a retry or a fallback) would spend past its limit before anything checked it. The client may retry,
                // through the budget.
                s.Error = timedOut ? GatewayError.UpstreamTimeout(s.Model.Provider.Name) : GatewayError.UpstreamResponseCut(s.Model.Provider.Name);
                return new AttemptResult(AttemptKind.Done, timedOut ? "timeout" : "connection");
            }

            return forwarderError switch
            {
                ForwarderError.NoAvailableDestinations => new AttemptResult(AttemptKind.Unavailable, "no_destination"),
                // RequestBodyCanceled: a timer fired while the body was still being sent (a large prompt to a slow
                // provider); the body is pooled, so it can be sent again.
                ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestCanceled or ForwarderError.ResponseHeaders
                    or ForwarderError.ResponseBodyDestination or ForwarderError.ResponseBodyCanceled or ForwarderError.RequestBodyDestination
                    or ForwarderError.RequestBodyCanceled
                    => new AttemptResult(AttemptKind.Retryable, timedOut ? "timeout" : "connection"),
                _ => Unexpected(s, forwarderError),
            };
        }

        if (!policy.RetryStatuses.Contains(status))
        {
            return AttemptResult.Success;
        }

        var retryAfter = RetryAfterHeader.Parse(context.Response.Headers.RetryAfter, time.GetUtcNow());
        return new AttemptResult(AttemptKind.Retryable, GenAiAttributes.StatusErrorType(status), retryAfter, RetryOutlastsTotal(s, policy, retryAfter));
    }

    /// <summary>
    /// The provider's whole answer is in the response (held or passed), with only a request-body error beside it: it
    /// answered before reading the whole body. YARP reports the body copy's failure after a complete response, and
    /// sets its own status (and clears the headers) when the response body failed too.
    /// </summary>
    private static bool AnsweredBeforeTheWholeBody(AttemptState s) =>
        s.Context.GetForwarderErrorFeature()?.Error is ForwarderError.RequestBodyDestination or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
        && s.Tap is { SawResponse: true } answered && answered.ProviderStatus == s.Context.Response.StatusCode;

    /// <summary>
    /// The provider's response is in the context as it came: no forwarder error, or only a request-body one beside a
    /// whole answer. Otherwise YARP replaced it after its body failed (cut, stalled): a held error is then only its
    /// start, under YARP's bare 502 with the headers cleared, and is never sent on.
    /// </summary>
    private static bool ProviderAnswerIsWhole(AttemptState s) => s.Context.GetForwarderErrorFeature() is null || AnsweredBeforeTheWholeBody(s);

    /// <summary>
    /// Whether a retry of this provider answer cannot fit before the request's total timeout: its wait (the provider's
    /// Retry-After, else at most twice the backoff's next delay for this model) and then half a second, at least, for the
    /// provider to answer.
    /// Such a retry would end in the gateway's 504 and throw away the provider's own answer, which is held: it stands.
    /// </summary>
    private bool RetryOutlastsTotal(AttemptState s, ResiliencePolicy policy, TimeSpan? retryAfter)
    {
        var backoff = TimeSpan.FromTicks(Math.Min(policy.MaxDelay.Ticks, policy.BaseDelay.Ticks * (1L << Math.Min(s.ModelAttempts, 20))));
        var answer = policy.FirstByteTimeout < HalfASecond ? policy.FirstByteTimeout : HalfASecond;
        return (retryAfter ?? backoff) + answer >= time.GetElapsedTime(time.GetTimestamp(), s.Deadline);
    }

    private static readonly TimeSpan HalfASecond = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The gateway gave up on an attempt (a timer fired, or a held answer was cut) that the provider will answer and
    /// bill all the same: it had the whole request and was still working on it (no answer yet), or it had answered with
    /// success (a JSON answer comes whole once generated; its cut copy never reached the client). A provider's held error
    /// generated nothing; a plain connection failure with no answer is not known to have reached a working provider.
    /// </summary>
    /// <returns>True when the attempt was marked abandoned.</returns>
    private static bool MarkIfLeftWithProvider(AttemptState s, HttpContext context)
    {
        // The provider's own status: YARP sets 502 on the response when a held body fails.
        if ((s.Tap?.SawResponse != true || s.Tap.ProviderStatus < StatusCodes.Status400BadRequest) && ProviderHasWholeRequest(context))
        {
            s.MarkAbandoned();
            return true;
        }

        return false;
    }

    /// <summary>
    /// No answer has reached the client, and the request's body (the gateway's own buffer) was read to its end: the
    /// provider has the request whole.
    /// </summary>
    private static bool ProviderHasWholeRequest(HttpContext context) =>
        !context.Response.HasStarted && context.Request.Body is MemoryStream { CanSeek: true, Length: > 0 } sent && sent.Position == sent.Length;

    /// <summary>
    /// A forwarding failure with no retry: the client gets the gateway's 502 in OpenAI's error shape, not the bare
    /// status YARP set.
    /// </summary>
    private static AttemptResult Unexpected(AttemptState s, ForwarderError error)
    {
        s.Error = GatewayError.UpstreamUnavailable(s.Model.Provider.Name);
        return new AttemptResult(AttemptKind.Done, error.ToString());
    }

    private async ValueTask<ForwardOutcome> FinishAsync(AttemptState s)
    {
        var requested = s.Forward.Exchange.Model;
        if (s.Last is null or { Kind: AttemptKind.Unavailable })
        {
            // No model had a healthy destination: answer at once, and say when to come back.
            var retryAfter = s.Unavailable.Select(m => breakers.RetryAfter(m.Provider.ClusterId, m.UpstreamModel)).Where(r => r is not null).Min() ?? TimeSpan.FromSeconds(1);
            metrics.UpstreamAttempts.Add(1, new(GenAiAttributes.GatewayModel, requested.Name), new("outcome", "no_destination"));
            return s.Outcome(error: GatewayError.NoHealthyUpstream(requested.Name), retryAfter: retryAfter);
        }

        var last = s.Last;
        metrics.UpstreamAttempts.Add(s.Number, new(GenAiAttributes.GatewayModel, s.Model.Name), new("outcome", last == AttemptResult.Success ? "served" : last.Reason));
        if (last.Kind == AttemptKind.ClientGone)
        {
            return s.Outcome(clientGone: true);
        }

        if (last.Kind == AttemptKind.Retryable)
        {
            ResilienceLog.GaveUp(logger, requested.Name, s.Number, last.Reason);
            if (!s.Context.Response.HasStarted && ProviderAnswerIsWhole(s))
            {
                if (IsRateLimited(s))
                {
                    return RateLimitedOutcome(s, last.RetryAfter);
                }

                // The provider's own error, passed through as it came (held until now in case of a retry).
                await ReleaseErrorAsync(s);
                return s.Outcome();
            }

            // No whole answer to pass on: a held error whose body was then cut or stalled is only its start, under YARP's
            // bare 502 with the gateway's headers cleared. The gateway answers in its own words; nothing of it is kept.
            s.Tap?.DiscardHeld();
            var provider = s.Model.Provider.Name;
            return s.Outcome(error: last.Reason == "timeout" ? GatewayError.UpstreamTimeout(provider) : GatewayError.UpstreamUnavailable(provider));
        }

        if (s.Error is not null)
        {
            s.Tap?.DiscardHeld();
        }
        else if (s.Tap?.IsHoldingError == true && ProviderAnswerIsWhole(s))
        {
            // A held status that stands as the answer without a retry: a 429 the model does not retry.
            if (IsRateLimited(s))
            {
                return RateLimitedOutcome(s, RetryAfterHeader.Parse(s.Context.Response.Headers.RetryAfter, time.GetUtcNow()));
            }

            // Any other whole one goes on as it came.
            await ReleaseErrorAsync(s);
        }

        return s.Outcome(error: s.Error, interruption: s.Interruption);
    }

    /// <summary>
    /// Sends a held error on, unless attempts before it are billed: then it stays held, so that the usage headers of
    /// those attempts go on it like on an answer (the caller releases it after). A client gone meanwhile is not an error
    /// here: the request still ends in its outcome, to be billed, counted and traced (as the forward stage's own writes).
    /// </summary>
    private static async Task ReleaseErrorAsync(AttemptState s)
    {
        if (s.HasAbandoned)
        {
            s.Tap!.KeepErrorAsAnswer();
            return;
        }

        try
        {
            await s.Tap!.ReleaseErrorAsync(s.ClientLifetime.RequestAborted);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// False for a model without a price serving a key with a spend limit (when such models are refused to it, as they
    /// always are to a shadow copy), and for
    /// one without an audio output price serving such a key's request for spoken output (<see cref="Budgets.AudioOutput"/>:
    /// its reservation could not price it, nor its settlement count it). Asked of fallbacks only.
    /// </summary>
    private bool CanBill(LlmExchange exchange, CatalogModel model) =>
        exchange.Key.Limits is not { HasSpendLimit: true }
        // A shadow copy's budget is never waived for want of a price, as its reservation never waives it (BudgetGuard).
        || !(budgets.Value.RefuseUnpricedModels || exchange.Key.IsShadow)
        || (pricing.PriceAt(model.UpstreamModel, time.GetUtcNow()) is { } price
            && (price.AudioOutputPerMillion is not null || !Budgets.AudioOutput.IsAsked(exchange.ClientBody.WrittenSpan, exchange.Scan)));

    private static bool IsRateLimited(AttemptState s) =>
        s.Context.Response.StatusCode == StatusCodes.Status429TooManyRequests && !s.Context.Response.HasStarted;

    /// <summary>
    /// A provider's 429 that has not reached the client is answered by the gateway, in its own words
    /// (<see cref="GatewayError.UpstreamRateLimited"/>), with the provider's delay and its request id kept.
    /// </summary>
    private static ForwardOutcome RateLimitedOutcome(AttemptState s, TimeSpan? retryAfter)
    {
        var upstreamId = s.Context.Response.Headers[RequestIds.UpstreamHeader];
        var outcome = s.Outcome(error: GatewayError.UpstreamRateLimited(s.Model.Provider.Name), retryAfter: retryAfter);
        if (!Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(upstreamId))
        {
            s.Context.Response.Headers[RequestIds.UpstreamHeader] = upstreamId;
        }

        return outcome;
    }

    /// <summary>
    /// Everything one request's attempts share; passed to Polly as state, so no closure per request. Pooled: the outcome
    /// it ends with is its own, and the outcome's Dispose (at the end of the request) gives it back for the next one.
    /// </summary>
    private sealed class AttemptState : IUpstreamAttemptFeature, IDisposable
    {
        private readonly ForwardOutcome _outcome;
        private int _rented;

        // Earlier attempts' taps and timers, disposed at the end; the latest attempt's timer apart, so a request
        // served by its first attempt needs no list.
        private List<IDisposable>? _spent;
        private AttemptTimer? _timer;
        private List<CatalogModel>? _unavailable;
        private List<AbandonedAttempt>? _abandoned;
        // Rented (given back by Outcome, or by Abandon when the forwarder throws): most requests never need it.
        private KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>[] _headers;
        private int _headerCount;

        public AttemptState()
        {
            _outcome = new ForwardOutcome(this);
            _headers = [];
        }

        /// <summary>Begins a request's forwarding: every field as if new.</summary>
        /// <param name="deadline">The end of the request's total time, a timestamp of the forwarder's clock.</param>
        public void Start(ResilientForwarder owner, HttpContext context, RequestDelegate next, ForwardRequest forward, long deadline)
        {
            _rented = 1;
            Owner = owner;
            Context = context;
            Next = next;
            Forward = forward;
            ClientLifetime = context.Features.GetRequiredFeature<IHttpRequestLifetimeFeature>();
            ResponseBody = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
            Deadline = deadline;
            Model = forward.Exchange.Model;
            ForgetAttempts();

            // The gateway's own headers (request id, prompt headers), put back after each failed attempt.
            ICollection<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> headers = context.Response.Headers;
            _headerCount = headers.Count;
            _headers = ArrayPool<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>.Shared.Rent(_headerCount);
            headers.CopyTo(_headers, 0);
        }

        public ResilientForwarder Owner { get; private set; } = null!;

        public HttpContext Context { get; private set; } = null!;

        public RequestDelegate Next { get; private set; } = null!;

        public ForwardRequest Forward { get; private set; }

        public IHttpRequestLifetimeFeature ClientLifetime { get; private set; } = null!;

        public IHttpResponseBodyFeature ResponseBody { get; private set; } = null!;

        public long Deadline { get; private set; }

        /// <summary>The model whose retries are running now.</summary>
        public CatalogModel? Candidate { get; set; }

        /// <summary>The model of the latest attempt (the requested one before any).</summary>
        public CatalogModel Model { get; set; } = null!;

        public int Number { get; set; }

        /// <summary>Attempts made on <see cref="Model"/>: the number of the one that ends now.</summary>
        public int ModelAttempts { get; set; }

        public ClusterState? Cluster { get; set; }

        /// <summary>Models that had no healthy destination.</summary>
        public IReadOnlyList<CatalogModel> Unavailable => _unavailable ?? [];

        /// <summary>The last model's final result (null: no model was attempted).</summary>
        public AttemptResult? Last { get; set; }

        /// <summary>The previous attempt's result, whichever model it was.</summary>
        public AttemptResult? Previous { get; set; }

        public ResponseTap? Tap { get; private set; }

        public PooledBuffer? Body { get; private set; }

        /// <summary>The latest attempt's lifetime (its timer, and whether YARP aborted it).</summary>
        public ForwardingLifetime? Lifetime { get; private set; }

        /// <summary>The client connection's reset feature, set aside while an attempt runs.</summary>
        public IHttpResetFeature? Reset { get; set; }

        public GatewayError? Error { get; set; }

        public StreamInterruption? Interruption { get; set; }

        /// <summary>Attempts left with a provider that answers and bills them (see <see cref="ForwardOutcome.Abandoned"/>).</summary>
        public IReadOnlyList<AbandonedAttempt> Abandoned => _abandoned ?? [];

        /// <summary>An earlier attempt of this request is billed (<see cref="Abandoned"/> is not empty).</summary>
        public bool HasAbandoned => _abandoned is { Count: > 0 };

        /// <summary>The latest attempt was given up while its provider goes on with it.</summary>
        public void MarkAbandoned()
        {
            _abandoned ??= [];
            if (_abandoned.Count == 0 || _abandoned[^1].Number != Number)
            {
                _abandoned.Add(new AbandonedAttempt(Model, Number, Lifetime!.Timer.StartedAt, Deadline));
            }
        }

        /// <summary>A first attempt's result, for Polly to read as its own first attempt's outcome.</summary>
        public AttemptResult? Replay { get; set; }

        public AttemptResult? TakeReplay()
        {
            var replay = Replay;
            Replay = null;
            return replay;
        }

        /// <summary>After an attempt, whatever happened: the client's own lifetime, reset and body features back.</summary>
        public void RestoreFeatures()
        {
            Context.Features.Set(ClientLifetime);
            Context.Features.Set(Reset);
            Context.Features.Set(ResponseBody);
        }

        /// <summary>The forwarder failed with an exception: what the attempts held goes back.</summary>
        public void Abandon()
        {
            // The latest tap may already be among the spent ones (an attempt that failed while it was being prepared).
            var spentTap = _spent?.Contains(Tap!) == true;
            DisposeSpent();
            if (!spentTap)
            {
                Tap?.Dispose();
            }

            ReturnHeaders();
        }

        private void PutBackOwnHeaders()
        {
            for (var i = 0; i < _headerCount; i++)
            {
                Context.Response.Headers[_headers[i].Key] = _headers[i].Value;
            }
        }

        private void ReturnHeaders()
        {
            if (_headers.Length > 0)
            {
                ArrayPool<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>.Shared.Return(_headers, clearArray: true);
                _headers = [];
                _headerCount = 0;
            }
        }

        public void MarkUnavailable(CatalogModel model) => (_unavailable ??= []).Add(model);

        public void DisposeSpent()
        {
            if (_spent is not null)
            {
                // Not `_spent ?? []`: that makes an empty list on every request served by one attempt.
                foreach (var spent in _spent)
                {
                    spent.Dispose();
                }

                _spent.Clear();
            }

            _timer?.Dispose();
            _timer = null;
        }

        public void Track(ResponseTap tap, AttemptTimer timer, PooledBuffer body, ForwardingLifetime lifetime)
        {
            Tap = tap;
            Body = body;
            Lifetime = lifetime;
            if (_timer is not null)
            {
                (_spent ??= []).Add(_timer);
            }

            _timer = timer;
        }

        /// <summary>Forgets the failed attempt: its held response, its status and headers, its error.</summary>
        public void ResetForNextAttempt()
        {
            Tap?.DiscardHeld();
            if (Tap is not null)
            {
                (_spent ??= []).Add(Tap);
            }

            Context.Response.Clear();
            PutBackOwnHeaders();

            Context.Features.Set<IForwarderErrorFeature>(null);
            Error = null;
            Interruption = null;
        }

        public ForwardOutcome Outcome(GatewayError? error = null, TimeSpan? retryAfter = null, StreamInterruption? interruption = null, bool clientGone = false)
        {
            // Read before the timer is disposed (and let go) with the rest.
            var leftAfterSilence = clientGone && _timer is { } timer && timer.SilentFor >= ClientLeftSilence;
            DisposeSpent();
            if (error is not null && !Context.Response.HasStarted)
            {
                // The gateway answers itself: nothing of a provider's response (its Content-Length or
                // Content-Encoding, say) may remain, and the gateway's own headers must be back.
                Tap?.DiscardHeld();
                var attempts = Context.Response.Headers[AttemptsHeader];
                var served = Context.Response.Headers[ServedModelHeader];
                Context.Response.Clear();
                PutBackOwnHeaders();

                if (!Microsoft.Extensions.Primitives.StringValues.IsNullOrEmpty(attempts))
                {
                    Context.Response.Headers[AttemptsHeader] = attempts;
                    Context.Response.Headers[ServedModelHeader] = served;
                }
                else if (Number > 0)
                {
                    Context.Response.Headers[AttemptsHeader] = Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Context.Response.Headers[ServedModelHeader] = Model.Name;
                }
            }

            ReturnHeaders();
            _outcome.Set(Model, Number, Tap, Body, error, retryAfter, interruption, clientGone, _abandoned is { Count: > 0 } abandoned ? [.. abandoned] : [], leftAfterSilence);
            return _outcome;
        }

        /// <summary>The request is over (its outcome disposed): back to the pool, holding nothing of it.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _rented, 0) != 1)
            {
                return;
            }

            if (ReferenceEquals(Context.Features.Get<IUpstreamAttemptFeature>(), this))
            {
                Context.Features.Set<IUpstreamAttemptFeature>(null);
            }

            _outcome.Set(null!, 0, null, null, null, null, null, false, []);
            Owner = null!;
            Context = null!;
            Next = null!;
            Forward = default;
            ClientLifetime = null!;
            ResponseBody = null!;
            Model = null!;
            ForgetAttempts();
            States.Return(this);
        }

        /// <summary>Nothing of any attempt: how a request's forwarding starts, and what a pooled state holds.</summary>
        private void ForgetAttempts()
        {
            Candidate = null;
            Number = 0;
            ModelAttempts = 0;
            Cluster = null;
            Last = null;
            Previous = null;
            Tap = null;
            Body = null;
            Lifetime = null;
            Reset = null;
            Error = null;
            Interruption = null;
            _abandoned?.Clear();
            Replay = null;
            _timer = null;
            _spent?.Clear();
            _unavailable?.Clear();
        }
    }
}
