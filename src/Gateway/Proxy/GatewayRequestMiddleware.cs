using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Budgets;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Resilience;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Streaming;
using LlmGateway.Telemetry;
using LlmGateway.Usage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Proxy;

/// <summary>
/// The gateway's part of the YARP pipeline: authenticate, read and scan the body once, resolve
/// the model (a catalog name, or <c>prompt:&lt;name&gt;</c> through its release), rewrite, pick the
/// provider's cluster, and turn forwarding failures into OpenAI-shaped errors. Nothing reaches a
/// provider unless every check passes.
/// </summary>
internal sealed class GatewayRequestMiddleware(
    RequestDelegate next,
    GatewayKeyAuthenticator authenticator,
    ModelCatalog catalog,
    PromptRouter prompts,
    PromptRenderer renderer,
    UsageAccountant accountant,
    UsageRecorder usage,
    BudgetGuard budgets,
    RequestSampler sampler,
    ResilientForwarder forwarder,
    LlmCallTelemetry telemetry,
    GatewayMetrics metrics,
    TimeProvider time,
    IOptions<ProxyOptions> options)
{
    private const string ChatCompletionsPath = "/v1/chat/completions";

    private readonly long _maxBodyBytes = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIds.Ensure(context);
        var authentication = await authenticator.AuthenticateAsync(context.Request);
        if (authentication.Error is { } authError)
        {
            await GatewayErrorWriter.WriteAsync(context, authError);
            return;
        }

        if (!JsonContentType.IsJson(context.Request.ContentType))
        {
            await GatewayErrorWriter.WriteAsync(context, GatewayError.UnsupportedMediaType(context.Request.ContentType));
            return;
        }

        var (body, bodyError) = await RequestBodyReader.ReadAsync(context.Request, _maxBodyBytes, context.RequestAborted);
        if (bodyError is not null)
        {
            await GatewayErrorWriter.WriteAsync(context, bodyError);
            return;
        }

        using (body)
        {
            var scan = RequestBodyScanner.Scan(body!.WrittenSpan);
            var key = authentication.Key!;
            var (target, error) = await ResolveAsync(context, key, body, scan);
            if (error is not null)
            {
                await GatewayErrorWriter.WriteAsync(context, error);
                return;
            }

            using var rewritten = target!.Body;
            // The bundle's max_tokens, when it sets one, caps the output the budget must reserve for.
            var maxOutput = target.Prompt?.Bundle.Bundle.Params.MaxTokens ?? scan.MaxOutputTokens;
            var request = new GatewayRequestFeature(requestId, key, target.Model, scan.Stream, target.Prompt, target.UsageInjected)
            {
                InputEstimate = new PromptTokenEstimate((rewritten ?? body).WrittenMemory, target.Model.Encoding),
            };
            using var bodies = new ForwardBodies(body, scan, target.Model, rewritten ?? body, target.Prompt?.Bundle, target.Rendered, target.UsageInjected);
            await ForwardAsync(context, request, body, bodies, rewritten is not null, maxOutput);
        }
    }

    private async ValueTask<(ForwardTarget? Target, GatewayError? Error)> ResolveAsync(HttpContext context, GatewayKey key, PooledBuffer body, RequestScan scan)
    {
        if (!scan.IsValid)
        {
            return (null, GatewayError.InvalidJson(scan.Error!));
        }

        if (string.IsNullOrWhiteSpace(scan.Model))
        {
            return (null, GatewayError.MissingModel());
        }

        if (scan.Model.StartsWith(ModelCatalog.PromptPrefix, StringComparison.Ordinal))
        {
            return await ResolvePromptAsync(context, key, body, scan, scan.Model[ModelCatalog.PromptPrefix.Length..]);
        }

        if (!catalog.TryGetModel(scan.Model, out var model))
        {
            return (null, GatewayError.ModelNotFound(scan.Model));
        }

        var injectUsage = NeedsUsageInjection(context, scan);
        PooledBuffer? rewritten = null;
        if (injectUsage)
        {
            rewritten = new PooledBuffer(body.Length + model.UpstreamModelJson.Length + 64);
            PlainRequestRewriter.Rewrite(body.WrittenSpan, scan, model.UpstreamModelJson.Span, injectUsage: true, rewritten);
        }
        else if (model.NeedsRename)
        {
            rewritten = new PooledBuffer(body.Length + model.UpstreamModelJson.Length);
            ModelSplicer.Splice(body.WrittenSpan, scan, model.UpstreamModelJson.Span, rewritten);
        }

        return (new ForwardTarget(model, rewritten, null, null, injectUsage), null);
    }

    private async ValueTask<(ForwardTarget? Target, GatewayError? Error)> ResolvePromptAsync(HttpContext context, GatewayKey key, PooledBuffer body, RequestScan scan, string prompt)
    {
        if (!context.Request.Path.Equals(ChatCompletionsPath, StringComparison.Ordinal))
        {
            return (null, GatewayError.InvalidRequest($"'prompt:' models are served on {ChatCompletionsPath} only.", "model", "unsupported_endpoint"));
        }

        var (selection, selectionError) = await prompts.SelectAsync(context.Request, key, prompt, scan.User);
        if (selectionError is not null)
        {
            return (null, selectionError);
        }

        var bundle = selection!.Bundle;
        var (contents, renderError) = await renderer.RenderAsync(bundle, scan);
        if (renderError is not null)
        {
            CountRewriteError(selection);
            return (null, renderError);
        }

        var injectUsage = NeedsUsageInjection(context, scan);
        var rewritten = new PooledBuffer(body.Length + 1024);
        if (ChatRequestRewriter.Rewrite(body.WrittenSpan, scan, bundle, contents!, rewritten, injectUsage) is { } rewriteError)
        {
            rewritten.Dispose();
            CountRewriteError(selection);
            return (null, rewriteError);
        }

        PromptResponseHeaders.Apply(context.Response.Headers, selection);
        return (new ForwardTarget(bundle.Model, rewritten, selection, contents, injectUsage), null);
    }

    private async Task ForwardAsync(HttpContext context, GatewayRequestFeature request, PooledBuffer clientBody, ForwardBodies bodies, bool rewritten, long? maxOutputTokens)
    {
        var (reservation, budgetError) = await budgets.ReserveAsync(request.Key, request.Model, request.InputEstimate, maxOutputTokens);
        if (budgetError is not null)
        {
            await GatewayErrorWriter.WriteAsync(context, budgetError);
            return;
        }

        var settled = false;
        AccountingRecord? record = null;
        try
        {
            // Decided before anything is sent, on the request id alone: no I/O, no waiting.
            var sampling = sampler.Decide(context, request);
            var path = context.Request.Path.Value ?? "";
            var requestedAt = time.GetUtcNow();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var activity = LlmCallTelemetry.Start(request, path);
            var originalBody = context.Request.Body;
            var originalResponse = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
            context.Request.Headers.Remove(HeaderNames.TransferEncoding);
            context.Features.Set(request);
            ForwardOutcome outcome;
            try
            {
                outcome = await forwarder.ForwardAsync(context, next, new ForwardRequest(
                    request,
                    bodies.For,
                    (timer, retryable) =>
                    {
                        var tap = new ResponseTap(originalResponse, context.Response, request.UsageInjected, holdJson: !request.Stream, retryable, timer);
                        if (sampling.Sampled)
                        {
                            sampler.BeginCapture(tap);
                        }

                        return tap;
                    },
                    AllowModelFallback(request)));
            }
            finally
            {
                context.Request.Body = originalBody;
                context.Features.Set(originalResponse);
            }

            using var tap = outcome.Tap;
            var forwarded = outcome.Body ?? bodies.For(request.Model);
            if (tap is not null)
            {
                try
                {
                    if (outcome.Error is null)
                    {
                        await tap.FlushPendingAsync(context.RequestAborted);
                    }

                    // A stream cut by the provider, or abandoned by the client, is still billed for what was
                    // generated. A held JSON body that never reached the client (cut mid-body, then retried
                    // or answered with the gateway's error) is not: the client received nothing of it.
                    if (outcome.Error is null && context.Response.StatusCode < 400 && (context.GetForwarderErrorFeature() is null || context.Response.HasStarted))
                    {
                        record = accountant.Account(request.Model, request.InputEstimate, tap, requestedAt);
                        if (outcome.Interruption is not null)
                        {
                            record = record with { Cut = true };
                        }
                    }

                    if (reservation is not null)
                    {
                        settled = true;
                        await budgets.SettleAsync(reservation, record);
                    }

                    await DeliverEndAsync(context, tap, outcome, record);
                }
                finally
                {
                    // A held JSON body always goes out, whatever happened above (errors included).
                    if (outcome.Error is null)
                    {
                        await tap.ReleaseHeldAsync(context.RequestAborted);
                    }
                }
            }

            var failed = outcome.Error is not null || outcome.Interruption is not null || context.Response.StatusCode >= 500;
            usage.Record(Sample(request, record, failed, requestedAt));
            if (outcome.Error is { } error && !outcome.ClientGone && !context.Response.HasStarted)
            {
                if (outcome.RetryAfter is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = RetryAfterHeader.Format(retryAfter);
                }

                await GatewayErrorWriter.WriteAsync(context, error);
            }

            var errorType = outcome.Error?.Body.Code
                ?? (outcome.Interruption is { } interruption ? "stream_" + interruption.ToString().ToLowerInvariant()
                : context.Response.StatusCode >= 400 ? GenAiAttributes.StatusErrorType(context.Response.StatusCode) : null);
            if (sampling.Sampled && tap is not null)
            {
                var note = outcome.Error?.Body.Message ?? (outcome.Interruption is not null ? $"The provider's stream was interrupted ({outcome.Interruption})." : null);
                sampler.Offer(context, request, sampling, clientBody.WrittenSpan, forwarded.WrittenSpan, rewritten || request.Model != request.RequestedModel, tap, record, requestedAt, note);
            }

            telemetry.Complete(activity, request, path, new LlmCallOutcome(
                context.Response.StatusCode, errorType, record, System.Diagnostics.Stopwatch.GetElapsedTime(started), clientBody.Length, sampling.Sampled));
        }
        finally
        {
            // Whatever happened above, a reservation is settled exactly once (to nothing if nothing was billed).
            if (!settled && reservation is not null)
            {
                await budgets.SettleAsync(reservation, record);
            }
        }
    }

    /// <summary>
    /// The end of a response: usage in headers (held JSON), or after the stream as an SSE comment,
    /// preceded by an error event when the provider cut or stalled the stream after it started.
    /// </summary>
    private static async Task DeliverEndAsync(HttpContext context, ResponseTap tap, ForwardOutcome outcome, AccountingRecord? record)
    {
        if (outcome.ClientGone || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (outcome.Interruption is { } interruption)
        {
            if (!tap.IsSse)
            {
                // Only a stream can say it ended badly; anything else must look truncated to the client.
                context.Abort();
                return;
            }

            await tap.WriteToClientAsync(StreamErrorEvent.For(interruption), context.RequestAborted);
        }

        if (record is null)
        {
            return;
        }

        context.Features.Set(record);
        if (tap.IsHolding)
        {
            UsageHeaders.Apply(context.Response.Headers, record);
        }
        else if (tap.IsSse)
        {
            // After the final event: clients ignore SSE comments, so naive ones are unaffected.
            await tap.WriteToClientAsync(UsageComment.Format(record), context.RequestAborted);
        }
    }

    private static bool AllowModelFallback(GatewayRequestFeature request) =>
        request.Prompt is not { } prompt || (prompt.Variant != Variants.Pinned && prompt.Bundle.Bundle.ModelFallback != false);

    private UsageSample Sample(GatewayRequestFeature request, AccountingRecord? record, bool failed, DateTimeOffset requestedAt) => new(
        UsageDimensions.Join(request.Prompt?.Bundle.Name ?? "-", request.Prompt?.Bundle.Version ?? 0, request.Prompt?.Variant ?? "-", request.Model.Name, request.Key.Id),
        requestedAt.ToUnixTimeSeconds() / 60,
        failed,
        record?.InputTokens ?? 0,
        record?.CachedInputTokens ?? 0,
        record?.OutputTokens ?? 0,
        record?.ReasoningTokens ?? 0,
        record?.CostUsd is { } cost ? (long)(cost * 1_000_000_000m) : null,
        (time.GetUtcNow() - requestedAt).TotalMilliseconds);

    private void CountRewriteError(PromptSelection selection) => metrics.RewriteErrors.Add(
        1,
        new KeyValuePair<string, object?>(GenAiAttributes.PromptName, selection.Bundle.Name),
        new KeyValuePair<string, object?>(GenAiAttributes.PromptVersion, selection.Bundle.VersionText),
        new KeyValuePair<string, object?>(GenAiAttributes.PromptVariant, selection.Variant));

    /// <summary>
    /// A streamed chat or completions request whose client did not ask for usage: the gateway asks
    /// for it (exact streamed accounting) and removes the usage chunk again before the client sees it.
    /// </summary>
    private static bool NeedsUsageInjection(HttpContext context, RequestScan scan) =>
        scan.Stream && !scan.ClientIncludesUsage
        && (context.Request.Path.Equals(ChatCompletionsPath, StringComparison.Ordinal) || context.Request.Path.Equals("/v1/completions", StringComparison.Ordinal));

    /// <summary>Where a request goes, and the rewritten body when it differs from the client's.</summary>
    private sealed record ForwardTarget(CatalogModel Model, PooledBuffer? Body, PromptSelection? Prompt, IReadOnlyList<string>? Rendered, bool UsageInjected);
}
