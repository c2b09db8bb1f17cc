using LlmGateway.Accounting;
using LlmGateway.Budgets;
using LlmGateway.Errors;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Telemetry;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LlmGateway.Pipeline;

/// <summary>
/// Stage 2: resolve the model (a catalog name, or <c>prompt:&lt;name&gt;</c> through its release:
/// version and arm), render and rewrite, and build the request's one <see cref="LlmExchange"/>.
/// </summary>
internal sealed class RoutingStage(
    RequestDelegate next, ModelCatalog catalog, PromptRouter prompts, PromptRenderer renderer, BudgetGuard budgetGuard, GatewayMetrics metrics, IOptions<BudgetOptions> budgets)
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

        var (exchange, error) = routing.Result;
#pragma warning restore CA2012
        if (error is not null)
        {
            return GatewayErrorWriter.WriteAsync(context, error);
        }

        // No async layer of this stage waits on the provider (one allocation per request less): the upstream bodies
        // are given back where the request ends, by the forward stage or by a stage that refuses it before.
        context.Features.Set(exchange!);
        return next(context);
    }

    private async Task RouteThenForwardAsync(HttpContext context, Task<(LlmExchange? Exchange, GatewayError? Error)> routing)
    {
        var (exchange, error) = await routing;
        if (error is not null)
        {
            await GatewayErrorWriter.WriteAsync(context, error);
            return;
        }

        context.Features.Set(exchange!);
        await next(context);
    }

    private async ValueTask<(LlmExchange? Exchange, GatewayError? Error)> RouteAsync(HttpContext context, AdmittedRequest admitted)
    {
        var scan = admitted.Scan;
        if (DetachedWork.Check(scan) is { } detached)
        {
            return (null, detached);
        }

        var injectUsage = NeedsUsageInjection(context, scan);
        // Only a key with limits pays for reading the tools: their fees are reserved for the calls the request allows.
        var tools = admitted.Key.Limits is { IsEmpty: false } ? ProviderToolUse.Read(admitted.Body.WrittenSpan, scan) : ProviderToolUse.None;
        if (!scan.Model!.StartsWith(ModelCatalog.PromptPrefix, StringComparison.Ordinal))
        {
            if (!catalog.TryGetModel(scan.Model, out var model))
            {
                return (null, GatewayError.ModelNotFound(scan.Model));
            }

            // Checked before anything is built or reserved: a bound the budget can trust.
            var (output, perChoice, invalidOutput) = OutputRequest.Check(admitted.Body.WrittenSpan, scan, model, bundle: null, _maxChoices);
            if (invalidOutput is not null)
            {
                return (null, invalidOutput);
            }

            if (budgetGuard.RefusedBeforeWork(admitted.Key, model, output) is { } spent)
            {
                return (null, spent);
            }

            // A spend-limited key's request without a readable max_tool_calls of its own (absent, null, or not a count) is sent
            // with the bound its reservation counted, so the bound holds. A count the client set is left as it is.
            int? capToolCalls = tools is { Tools.Count: > 0, MaxToolCallsGiven: false }
                && admitted.Key.Limits is { HasSpendLimit: true }
                && context.Request.Path.Equals(ResponsesPath, StringComparison.Ordinal)
                ? _toolCallsBound
                : null;
            var (plain, _) = UpstreamBodies.Create(admitted.Body, scan, model, bundle: null, rendered: null, injectUsage, capToolCalls, OutputCapFor(context, admitted, perChoice));
            return (Exchange(context, admitted, model, prompt: null, plain!, injectUsage, output, tools), null);
        }

        if (!context.Request.Path.Equals(ChatCompletionsPath, StringComparison.Ordinal))
        {
            return (null, GatewayError.InvalidRequest($"'prompt:' models are served on {ChatCompletionsPath} only.", "model", "unsupported_endpoint"));
        }

        var (selection, selectionError) = await prompts.SelectAsync(context.Request, admitted.Key, prompts.PromptName(scan.Model.AsSpan(ModelCatalog.PromptPrefix.Length)), scan.User);
        if (selectionError is not null)
        {
            return (null, selectionError);
        }

        var bundle = selection!.Bundle;
        var (reservedOutput, reservedPerChoice, outputError) = OutputRequest.Check(admitted.Body.WrittenSpan, scan, bundle.Model, bundle, _maxChoices);
        if (outputError is not null)
        {
            return (null, outputError);
        }

        // Before the render and the prompt's count: a spent key gets its answer for nothing.
        if (budgetGuard.RefusedBeforeWork(admitted.Key, bundle.Model, reservedOutput) is { } exhausted)
        {
            return (null, exhausted);
        }

        var (contents, renderError) = await renderer.RenderAsync(bundle, scan);
        if (renderError is not null)
        {
            CountRewriteError(selection);
            return (null, renderError);
        }

        var (bodies, rewriteError) = UpstreamBodies.Create(admitted.Body, scan, bundle.Model, bundle, contents, injectUsage, outputCap: OutputCapFor(context, admitted, reservedPerChoice));
        if (rewriteError is not null)
        {
            CountRewriteError(selection);
            return (null, rewriteError);
        }

        PromptResponseHeaders.Apply(context.Response.Headers, selection);
        return (Exchange(context, admitted, bundle.Model, selection, bodies!, injectUsage, reservedOutput, tools), null);
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
