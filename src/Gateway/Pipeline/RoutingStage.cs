using LlmGateway.Accounting;
using LlmGateway.Budgets;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using LlmGateway.Telemetry;
using LlmGateway.Usage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LlmGateway.Pipeline;

/// <summary>
/// Stage 2: resolve the model (a catalog name, or <c>prompt:&lt;name&gt;</c> through its release:
/// version and arm), render and rewrite, and build the request's one <see cref="LlmExchange"/>. A request refused
/// because of the prompt version chosen to serve it is handed to the usage counters and the sampler as a failed
/// exchange of that version and arm, as the forward stage hands every other one (<see cref="ExchangeResult.Refused"/>).
/// </summary>
internal sealed class RoutingStage(
    RequestDelegate next,
    ModelCatalog catalog,
    PromptRouter prompts,
    PromptRenderer renderer,
    BudgetGuard budgetGuard,
    GatewayMetrics metrics,
    IOptions<BudgetOptions> budgets,
    RequestSampler sampler,
    UsageRecorder usage,
    TimeProvider time)
{
    private readonly int _maxChoices = budgets.Value.MaxChoices;
    private readonly int _toolCallsBound = budgets.Value.ProviderToolCallsBound;

    private const string ChatCompletionsPath = "/v1/chat/completions";
    private const string CompletionsPath = "/v1/completions";
    private const string ResponsesPath = "/v1/responses";

    public Task InvokeAsync(HttpContext context)
    {
        var admitted = context.Features.GetRequiredFeature<AdmittedRequest>();
        // Consumed once: its result read when it completed at once (the usual case, from the caches), else its task.
#pragma warning disable CA2012
        var routing = RouteAsync(context, admitted);
        if (!routing.IsCompletedSuccessfully)
        {
            // Pending: the ValueTask is its async method's own task, so AsTask allocates nothing.
            return RouteThenForwardAsync(context, routing.AsTask());
        }

        var (exchange, error, refusedVersion) = routing.Result;
#pragma warning restore CA2012
        if (error is not null)
        {
            return refusedVersion is null ? GatewayErrorWriter.WriteAsync(context, error) : RefuseAsync(context, admitted, refusedVersion, error);
        }

        // No async layer of this stage waits on the provider (one allocation per request less): the upstream bodies
        // are given back where the request ends, by the forward stage or by a stage that refuses it before.
        context.Features.Set(exchange!);
        return next(context);
    }

    private async Task RouteThenForwardAsync(HttpContext context, Task<(LlmExchange? Exchange, GatewayError? Error, PromptSelection? RefusedVersion)> routing)
    {
        var (exchange, error, refusedVersion) = await routing;
        if (error is not null)
        {
            if (refusedVersion is null)
            {
                await GatewayErrorWriter.WriteAsync(context, error);
            }
            else
            {
                await RefuseAsync(context, context.Features.GetRequiredFeature<AdmittedRequest>(), refusedVersion, error);
            }

            return;
        }

        context.Features.Set(exchange!);
        await next(context);
    }

    /// <returns>
    /// The exchange, or the error that refuses the request; with an error, the prompt selection whose version may be
    /// the cause (<see cref="RefuseAsync"/> decides whether it counts against it), else null.
    /// </returns>
    private async ValueTask<(LlmExchange? Exchange, GatewayError? Error, PromptSelection? RefusedVersion)> RouteAsync(HttpContext context, AdmittedRequest admitted)
    {
        var scan = admitted.Scan;
        if (DetachedWork.Check(scan) is { } detached)
        {
            return (null, detached, null);
        }

        var injectUsage = NeedsUsageInjection(context, scan);
        // Only a key with limits pays for reading the tools: their fees are reserved for the calls the request allows.
        var (tools, invalidTools) = admitted.Key.Limits is { IsEmpty: false } ? ProviderToolUse.Read(admitted.Body.WrittenSpan, scan) : (ProviderToolUse.None, null);
        if (invalidTools is not null)
        {
            return (null, invalidTools, null);
        }

        if (!scan.Model!.StartsWith(ModelCatalog.PromptPrefix, StringComparison.Ordinal))
        {
            if (!catalog.TryGetModel(scan.Model, out var model))
            {
                return (null, GatewayError.ModelNotFound(scan.Model), null);
            }

            // Checked before anything is built or reserved: a bound the budget can trust.
            var (output, perChoice, invalidOutput) = OutputRequest.Check(admitted.Body.WrittenSpan, scan, model, bundle: null, _maxChoices);
            if (invalidOutput is not null)
            {
                return (null, invalidOutput, null);
            }

            if (budgetGuard.RefusedBeforeWork(admitted.Key, model, output) is { } spent)
            {
                return (null, spent, null);
            }

            // A spend-limited key's request without a readable max_tool_calls of its own (absent, null, or not a count) is sent
            // with the bound its reservation counted, so the bound holds. A count the client set is left as it is.
            int? capToolCalls = tools is { Tools.Count: > 0, MaxToolCallsGiven: false }
                && admitted.Key.Limits is { HasSpendLimit: true }
                && context.Request.Path.Equals(ResponsesPath, StringComparison.Ordinal)
                ? _toolCallsBound
                : null;
            var (plain, _) = UpstreamBodies.Create(admitted.Body, scan, model, bundle: null, rendered: null, injectUsage, capToolCalls, OutputCapFor(context, admitted, perChoice));
            return (Exchange(context, admitted, model, prompt: null, plain!, injectUsage, output, tools), null, null);
        }

        if (!context.Request.Path.Equals(ChatCompletionsPath, StringComparison.Ordinal))
        {
            return (null, GatewayError.InvalidRequest($"'prompt:' models are served on {ChatCompletionsPath} only.", "model", "unsupported_endpoint"), null);
        }

        var (selection, selectionError) = await prompts.SelectAsync(context.Request, admitted.Key, prompts.PromptName(scan.Model.AsSpan(ModelCatalog.PromptPrefix.Length)), scan.User);
        // No selection (no release, a pin refused, a shadow step that ended): no version was chosen, nothing to count.
        if (selectionError is not null)
        {
            return (null, selectionError, null);
        }

        // From here on a version and arm serve the request: a refusal by the version's own checks (its model's output
        // limit, its render, its rewrite) may be that version's failure.
        var bundle = selection!.Bundle;
        var (reservedOutput, reservedPerChoice, outputError) = OutputRequest.Check(admitted.Body.WrittenSpan, scan, bundle.Model, bundle, _maxChoices);
        if (outputError is not null)
        {
            return (null, outputError, selection);
        }

        // Before the render and the prompt's count: a spent key gets its answer for nothing. The key's budget, not the
        // version: never counted against it.
        if (budgetGuard.RefusedBeforeWork(admitted.Key, bundle.Model, reservedOutput) is { } exhausted)
        {
            return (null, exhausted, null);
        }

        var (contents, renderError) = await renderer.RenderAsync(bundle, scan);
        if (renderError is not null)
        {
            CountRewriteError(selection);
            return (null, renderError, selection);
        }

        var (bodies, rewriteError) = UpstreamBodies.Create(admitted.Body, scan, bundle.Model, bundle, contents, injectUsage, outputCap: OutputCapFor(context, admitted, reservedPerChoice));
        if (rewriteError is not null)
        {
            CountRewriteError(selection);
            return (null, rewriteError, selection);
        }

        PromptResponseHeaders.Apply(context.Response.Headers, selection);
        return (Exchange(context, admitted, bundle.Model, selection, bodies!, injectUsage, reservedOutput, tools), null, null);
    }

    /// <summary>
    /// Answers a request the version's own checks refused, then, when the refusal is the version's fault, hands it to the
    /// usage counters and (under the arm's usual draw) the sampler as a failed exchange of that version and arm, so the
    /// online evaluator reads it as an error and a rollout judges the candidate by it. Which refusals are the version's:
    /// <list type="bullet">
    /// <item>A 5xx (<c>template_error</c>: the template failed or hit the gateway's limits), on every arm: no request
    /// excuses it (variables too long for any render are the client's 400 already). Every arm alike, so a template both
    /// versions share fails both.</item>
    /// <item>A 4xx (a variable the version requires and the client left out, a value its declaration refuses, a
    /// <c>max_tokens</c> above its model's limit, a system message it refuses), on a candidate's arm (canary, shadow),
    /// when the stable version would have served the same request: the stable version is the baseline of what clients
    /// send, so a request it serves and the candidate refuses is the candidate's regression, seen by its users (a
    /// shadow copy is of a request the stable version served). When the stable version would refuse it too, it is the
    /// client's request that is wrong, and counting it on the candidate alone would judge the candidate on bad input
    /// the stable arm never counts. On the stable or a pinned arm a 4xx is the client's.</item>
    /// </list>
    /// Malformed bodies, unknown models, keys and budgets are refused before or apart from any version and never reach
    /// this. Runs after the client has its answer, on refusals only: a request that is served pays nothing for it.
    /// </summary>
    private async Task RefuseAsync(HttpContext context, AdmittedRequest admitted, PromptSelection selection, GatewayError error)
    {
        // The version that refused is named as the one that answered would be: a client (or an eval run) can tell which
        // version's template or limit it hit, as the samples and counters do.
        PromptResponseHeaders.Apply(context.Response.Headers, selection);
        await GatewayErrorWriter.WriteAsync(context, error);
        if (error.StatusCode < StatusCodes.Status500InternalServerError && !await StableServesAsync(admitted, selection))
        {
            return;
        }

        var model = selection.Bundle.Model;
        // Nothing reserved or sent: its bodies are the client's own (their estimate reads the client's body).
        var exchange = Exchange(context, admitted, model, selection, UpstreamBodies.Unsent(admitted.Body, admitted.Scan, model), injectUsage: false, reservedOutput: 0, ProviderToolUse.None);
        var sampling = sampler.Decide(context, exchange);
        var result = new ExchangeResult
        {
            Exchange = exchange,
            ServedModel = model,
            Attempts = 0,
            Status = error.StatusCode,
            // No response body is captured (the error's message is the failure note), so none is labelled.
            ContentType = null,
            ErrorType = error.Body.Code,
            Failed = true,
            Refused = true,
            FailureNote = error.Body.Message,
            RequestedAt = time.GetUtcNow(),
            // Nothing was forwarded: no time of its own (the forward stage's latency starts when it forwards).
            Duration = TimeSpan.Zero,
            Sampling = sampling,
            ForwardedBody = admitted.Body,
        };
        usage.Record(result);
        // Beside the request metrics (which have no time for it to record: a zero would read as a fast arm), so the
        // dashboards count it among the arm's requests and errors: a canary whose template refused every request read as idle.
        metrics.VersionRefusals.Add(
            1,
            new KeyValuePair<string, object?>(GenAiAttributes.PromptName, selection.Bundle.Name),
            new KeyValuePair<string, object?>(GenAiAttributes.PromptVersion, selection.Bundle.VersionText),
            new KeyValuePair<string, object?>(GenAiAttributes.PromptVariant, selection.Variant),
            new KeyValuePair<string, object?>(GenAiAttributes.RequestModel, model.UpstreamModel),
            new KeyValuePair<string, object?>(GenAiAttributes.ErrorType, error.Body.Code));
        if (sampling.Sampled)
        {
            sampler.Offer(result);
        }
    }

    /// <summary>
    /// Whether the stable version of the release <paramref name="candidate"/> is the candidate of would have served this
    /// request: its model's output limit, its render and its rewrite all accept it. False for a stable or pinned
    /// selection (there is no other version to compare with) and when the release no longer has this candidate.
    /// </summary>
    private async ValueTask<bool> StableServesAsync(AdmittedRequest admitted, PromptSelection candidate)
    {
        if (prompts.StableOf(candidate) is not { } stable)
        {
            return false;
        }

        var scan = admitted.Scan;
        if (OutputRequest.Check(admitted.Body.WrittenSpan, scan, stable.Model, stable, _maxChoices).Error is not null)
        {
            return false;
        }

        var (contents, renderError) = await renderer.RenderAsync(stable, scan);
        if (renderError is not null)
        {
            return false;
        }

        var (bodies, rewriteError) = UpstreamBodies.Create(admitted.Body, scan, stable.Model, stable, contents, injectUsage: false);
        bodies?.Dispose();
        return rewriteError is null;
    }

    private static LlmExchange Exchange(
        HttpContext context, AdmittedRequest admitted, CatalogModel model, PromptSelection? prompt, UpstreamBodies bodies, bool injectUsage, long reservedOutput, ProviderToolUse tools) => new()
    {
        ProviderTools = tools,
        RequestId = admitted.RequestId,
        Key = admitted.Key,
        Endpoint = context.Request.Path.Value ?? "",
        ClientBody = admitted.Body,
        Scan = admitted.Scan,
        Model = model,
        Prompt = prompt,
        Upstream = bodies,
        UsageInjected = injectUsage,
        // Counted from what the provider will read, on the first model's tokenizer, when first needed.
        InputEstimate = new PromptTokenEstimate(bodies.First.WrittenMemory, model.Encoding),
        ReservedOutputTokens = reservedOutput,
        AllowModelFallback = prompt is null || (prompt.Variant != Variants.Pinned && prompt.Bundle.Bundle.ModelFallback != false),
    };

    /// <summary>
    /// The output cap a key with limits has its request sent with when the request sets none the endpoint reads (its
    /// reservation counted one; a provider that does not stop the model there itself would otherwise generate past it).
    /// A key without limits: nothing read, its body untouched.
    /// </summary>
    private static OutputCap? OutputCapFor(HttpContext context, AdmittedRequest admitted, long perChoice) =>
        admitted.Key.Limits is { IsEmpty: false } ? OutputCap.Unset(context.Request.Path, admitted.Body.WrittenSpan, admitted.Scan, perChoice) : null;

    /// <summary>
    /// A streamed chat or completions request whose client did not ask for usage: the gateway asks
    /// for it (exact streamed accounting) and removes the usage chunk again before the client sees it.
    /// </summary>
    private static bool NeedsUsageInjection(HttpContext context, RequestScan scan) =>
        scan.Stream && !scan.ClientIncludesUsage
        && (context.Request.Path.Equals(ChatCompletionsPath, StringComparison.Ordinal) || context.Request.Path.Equals(CompletionsPath, StringComparison.Ordinal));

    private void CountRewriteError(PromptSelection selection) => metrics.RewriteErrors.Add(
        1,
        new KeyValuePair<string, object?>(GenAiAttributes.PromptName, selection.Bundle.Name),
        new KeyValuePair<string, object?>(GenAiAttributes.PromptVersion, selection.Bundle.VersionText),
        new KeyValuePair<string, object?>(GenAiAttributes.PromptVariant, selection.Variant));
}
