using System.Text.Json;
using LlmGateway.Accounting;
using LlmGateway.Budgets;
using LlmGateway.Hosting;
using LlmGateway.Pipeline;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Releases;
using LlmGateway.Resilience;
using LlmGateway.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy;

namespace LlmGateway.Benchmarks.Pipeline;

/// <summary>
/// What every pipeline benchmark sets up once: the started gateway, YARP's stand-in, the scenario's request,
/// and one request parked after routing, whose <see cref="AdmittedRequest"/> and <see cref="LlmExchange"/> are
/// the features the later stages' benchmarks are given (both immutable; the stages under test only read them).
/// Each <c>…Context</c> method makes a fresh <see cref="DefaultHttpContext"/> as a stage receives it; the checks
/// run a stage and fail the benchmark when it did not do its job, or left a pooled buffer behind.
/// </summary>
internal sealed class PipelineFixture : IAsyncDisposable
{
    /// <summary>The YARP route of <c>/v1/chat/completions</c> (<c>ProviderProxyConfigProvider</c> names it).</summary>
    public const string RouteId = "openai-v1-chat-completions";

    private const int LeakCheckRequests = 200;

    private PipelineGateway _gateway = null!;
    private ParkedRequest? _parked;

    private PipelineFixture()
    {
    }

    /// <summary>A <c>next</c> that does nothing: the stage alone is measured.</summary>
    public static RequestDelegate Nothing { get; } = _ => Task.CompletedTask;

    public YarpStandIn Yarp { get; private set; } = null!;

    public PipelineRequest Request { get; private set; } = null!;

    /// <summary>What admission let in for the parked request.</summary>
    public AdmittedRequest Admitted { get; private set; } = null!;

    /// <summary>What routing built for the parked request.</summary>
    public LlmExchange Exchange { get; private set; } = null!;

    public static async Task<PipelineFixture> StartAsync(PipelineScenario scenario)
    {
        var fixture = new PipelineFixture { _gateway = await PipelineGateway.StartAsync() };
        try
        {
            await fixture.InitializeAsync(scenario);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    /// <summary>One stage as YARP's pipeline creates it (<c>UseMiddleware</c>, services from the gateway), then <paramref name="next"/>.</summary>
    public RequestDelegate Stage<TStage>(RequestDelegate next) => _gateway.Build(app => app.UseMiddleware<TStage>(), next);

    /// <summary>The gateway's four stages as <c>UseGatewayStages</c> registers them, then YARP's stand-in.</summary>
    public RequestDelegate WholePipeline() => _gateway.Build(app => new ProxyPipelineBuilder(app).UseGatewayStages(), Yarp.ForwardAsync);

    /// <summary>The request as the first stage (admission, or the whole pipeline) receives it.</summary>
    public DefaultHttpContext RequestContext() => Request.Create();

    /// <summary>The request as routing receives it: admitted, its id in the response headers.</summary>
    public DefaultHttpContext AdmittedContext()
    {
        var context = Request.Create();
        context.Response.Headers[RequestIds.Header] = Admitted.RequestId;
        context.Features.Set(Admitted);
        return context;
    }

    /// <summary>
    /// The request as the budget and forward stages receive it: routed (the exchange set, the prompt's headers
    /// in the response). The demo key has no limits, so the budget stage adds nothing for the forward stage.
    /// </summary>
    public DefaultHttpContext RoutedContext()
    {
        var context = AdmittedContext();
        if (Exchange.Prompt is { } prompt)
        {
            PromptResponseHeaders.Apply(context.Response.Headers, prompt);
        }

        context.Features.Set(Exchange);
        return context;
    }

    public async Task CheckAdmissionAsync()
    {
        AdmittedRequest? admitted = null;
        var context = RequestContext();
        await Stage<AdmissionStage>(c =>
        {
            admitted = c.Features.Get<AdmittedRequest>();
            return Task.CompletedTask;
        })(context);
        Require(admitted is not null, $"admission did not pass the request on (status {context.Response.StatusCode})");
        Require(admitted!.Scan.Model == Request.RequestedModel, $"admission scanned model '{admitted.Scan.Model}'");
        Require(admitted.Key.Environment == DemoPromptSeeder.Environment, $"the demo key is in '{admitted.Key.Environment}'");
        Require(admitted.Body.Length == 0, "admission did not return the body's pooled buffer");
    }

    public async Task CheckRoutingAsync()
    {
        LlmExchange? exchange = null;
        var context = AdmittedContext();
        await Stage<RoutingStage>(c =>
        {
            exchange = c.Features.Get<LlmExchange>();
            return Task.CompletedTask;
        })(context);
        Require(exchange is not null, $"routing did not pass the request on (status {context.Response.StatusCode})");
        CheckExchange(exchange!);
        Require(!exchange!.Upstream.Rewritten || exchange.Upstream.First.Length == 0, "routing did not return the rewritten body's pooled buffer");
    }

    public async Task CheckBudgetAsync()
    {
        var passed = false;
        var context = RoutedContext();
        await Stage<BudgetStage>(c =>
        {
            passed = c.Features.Get<BudgetReservation>() is null;
            return Task.CompletedTask;
        })(context);
        Require(passed, $"the budget stage reserved, or did not pass the request on (status {context.Response.StatusCode})");
    }

    public async Task CheckForwardAsync(RequestDelegate forward)
    {
        var context = RoutedContext();
        var upstream = await RunRecordedAsync(forward, context);
        CheckResponse(context, upstream.Body);
        Require(upstream.Exchange == Exchange, "the forward stage did not forward the routed exchange");
        Require(Exchange.InputEstimate.Tokenizations == 0, "the prompt was tokenized although the provider reported usage");
    }

    public async Task CheckWholePipelineAsync(RequestDelegate pipeline)
    {
        var context = RequestContext();
        var upstream = await RunRecordedAsync(pipeline, context);
        CheckResponse(context, upstream.Body);
        CheckExchange(upstream.Exchange);
        Require(upstream.Exchange.ClientBody.Length == 0 && upstream.Exchange.Upstream.First.Length == 0, "the request's pooled bodies were not returned");
        Require(upstream.Exchange.InputEstimate.Tokenizations == 0, "the prompt was tokenized although the provider reported usage");
    }

    /// <summary>
    /// Runs <paramref name="run"/> on fresh contexts from <paramref name="create"/>, as the benchmark does, and
    /// fails if any array rented from a pool on the way was not returned, or a request did not succeed.
    /// Logs whether <paramref name="name"/> completes synchronously (no awaiting state machine on the heap) and,
    /// if it does, its allocation per operation on the request thread.
    /// </summary>
    public async Task CheckNoLeaksAsync(string name, Func<HttpContext> create, RequestDelegate run)
    {
        // Warm-up first: lazily created pools, caches and statics are not leaks.
        for (var i = 0; i < LeakCheckRequests; i++)
        {
            await RunOneAsync(create, run);
        }

        await ArrayPoolLeakCheck.SelfTestAsync();
        var synchronous = true;
        using (var check = new ArrayPoolLeakCheck())
        {
            for (var i = 0; i < LeakCheckRequests; i++)
            {
                synchronous &= await RunOneAsync(create, run);
            }

            check.StopRecording();

            // A buffer handed to another thread (the store's writer) comes back when that thread is done with it:
            // wait for that (the count reaching zero), within a bound, rather than for a fixed time.
            _ = SpinWait.SpinUntil(() => check.Outstanding.Count == 0, TimeSpan.FromSeconds(5));
            var left = check.Outstanding;
            Require(left.Count == 0, $"{left.Count} pooled arrays taken by {LeakCheckRequests} requests were not returned (sizes {string.Join(", ", left.Take(10))})");
        }

        Console.WriteLine($"// {name} ({Request.Scenario}): {LeakCheckRequests} requests checked, every pooled array returned; completes {(synchronous ? "synchronously" : "asynchronously")}.");
        if (synchronous)
        {
            LogAllocation(name, create, run);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_parked is not null)
        {
            await _parked.DisposeAsync();
        }

        await _gateway.DisposeAsync();
    }

    private static async Task<bool> RunOneAsync(Func<HttpContext> create, RequestDelegate run)
    {
        var context = create();
        var pending = run(context);
        var synchronous = pending.IsCompleted;
        await pending;
        Require(context.Response.StatusCode == StatusCodes.Status200OK, $"a request ended with status {context.Response.StatusCode}");
        return synchronous;
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Pipeline benchmark check failed: {problem}.");
        }
    }

    private async Task InitializeAsync(PipelineScenario scenario)
    {
        var catalog = _gateway.Get<ModelCatalog>();
        if (!catalog.TryGetModel(PipelineRequest.Model, out var model))
        {
            throw new InvalidOperationException($"The demo catalog has no '{PipelineRequest.Model}'.");
        }

        Yarp = new YarpStandIn(_gateway.Get<IProxyStateLookup>(), RouteId, model.Provider.ClusterId);
        Request = PipelineRequest.For(scenario, Yarp, scenario == PipelineScenario.PromptChat ? StableSession() : null);

        _parked = await ParkedRequest.ParkAsync(RequestContext(), next => Stage<AdmissionStage>(Stage<RoutingStage>(next)));
        Admitted = _parked.Context.Features.GetRequiredFeature<AdmittedRequest>();
        Exchange = _parked.Context.Features.GetRequiredFeature<LlmExchange>();
        CheckExchange(Exchange);
    }

    /// <summary>A session id on the stable arm (90% of sessions; the release's salt is new in every store).</summary>
    private string StableSession()
    {
        if (!_gateway.Get<ReleaseSnapshotProvider>().Current.TryGet(DemoPromptSeeder.PromptName, DemoPromptSeeder.Environment, out var release))
        {
            throw new InvalidOperationException($"'{DemoPromptSeeder.PromptName}' has no release in '{DemoPromptSeeder.Environment}'.");
        }

        for (var i = 1; ; i++)
        {
            var session = $"bench-session-{i}";
            if (!VariantSelector.IsCanary(release.Record.Salt, DemoPromptSeeder.PromptName, session, release.Record.CanaryWeight))
            {
                return session;
            }
        }
    }

    private void CheckExchange(LlmExchange exchange)
    {
        Require(exchange.Model.Name == PipelineRequest.Model && !exchange.Stream, $"routed to '{exchange.Model.Name}', stream {exchange.Stream}");
        if (Request.Scenario == PipelineScenario.PromptChat)
        {
            Require(exchange.Prompt is { Variant: Variants.Stable, Bundle.Name: DemoPromptSeeder.PromptName }, $"served by {exchange.Prompt?.Bundle.Name} {exchange.Prompt?.Variant}");
        }
        else
        {
            Require(exchange.Prompt is null && !exchange.Upstream.Rewritten, "a plain request was rewritten");
        }
    }

    /// <summary>Runs <paramref name="run"/> with the client's response and the upstream body kept.</summary>
    private async Task<(byte[] Body, LlmExchange Exchange)> RunRecordedAsync(RequestDelegate run, DefaultHttpContext context)
    {
        using var client = new MemoryStream();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(client));
        using var upstream = new MemoryStream();
        LlmExchange? exchange = null;
        Yarp.Recorder = upstream;
        Yarp.Inspect = c => exchange = c.Features.Get<LlmExchange>();
        var forwarded = Yarp.Forwarded;
        try
        {
            await run(context);
        }
        finally
        {
            Yarp.Recorder = null;
            Yarp.Inspect = null;
        }

        Require(Yarp.Forwarded == forwarded + 1 && exchange is not null, "the request was not forwarded once");
        Require(client.ToArray().AsSpan().SequenceEqual(YarpStandIn.Completion), $"the client received {client.Length} bytes, not the provider's completion");
        return (upstream.ToArray(), exchange!);
    }

    private void CheckResponse(HttpContext context, byte[] upstreamBody)
    {
        var response = context.Response;
        var headers = response.Headers;
        Require(response.StatusCode == StatusCodes.Status200OK && response.ContentType == "application/json", $"the client got {response.StatusCode} {response.ContentType}");
        Require(headers[RequestIds.Header].ToString().Length > 0, "no X-Request-Id");
        Require(headers[ResilientForwarder.AttemptsHeader] == "1" && headers[ResilientForwarder.ServedModelHeader] == PipelineRequest.Model, "not served by one attempt on the requested model");
        Require(
            headers[UsageHeaders.Source] == AccountingRecord.Reported
            && headers[UsageHeaders.InputTokens] == YarpStandIn.PromptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && headers[UsageHeaders.OutputTokens] == YarpStandIn.CompletionTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"usage headers {headers[UsageHeaders.Source]} {headers[UsageHeaders.InputTokens]}/{headers[UsageHeaders.OutputTokens]}");
        Require(headers[UsageHeaders.Cost] != "unknown", "the usage was not priced");
        Require(context.Features.Get<AccountingRecord>() is { Source: AccountingRecord.Reported }, "no reported accounting record");

        using var sent = JsonDocument.Parse(upstreamBody);
        var root = sent.RootElement;
        Require(root.GetProperty("model").GetString() == PipelineRequest.Model, "the upstream body names another model");
        if (Request.Scenario == PipelineScenario.PromptChat)
        {
            Require(headers[PromptHeaders.Name] == DemoPromptSeeder.PromptName && headers[PromptHeaders.Variant] == Variants.Stable, "no prompt headers");
            var system = root.GetProperty("messages")[0];
            Require(
                system.GetProperty("role").GetString() == "system"
                && system.GetProperty("content").GetString() == $"You are {PipelineRequest.Company}'s assistant. Answer in English."
                && !root.TryGetProperty("prompt_variables", out _),
                $"the upstream body was not rendered and rewritten: {root}");
        }
        else
        {
            Require(upstreamBody.AsSpan().SequenceEqual(Request.Body), "a plain request's body was changed on the way upstream");
        }
    }

    /// <summary>
    /// Logs the bytes allocated per operation on the request thread alone, next to the process-wide figure that
    /// BenchmarkDotNet reports: the difference is the gateway's background work (usage writer, store client,
    /// timers), which follows elapsed time rather than requests, so it weighs a little more per op on a slow run.
    /// </summary>
    private void LogAllocation(string name, Func<HttpContext> create, RequestDelegate run)
    {
        const int operations = 20_000;

        // Past tiered JIT's first tiers, as BenchmarkDotNet's warm-up is.
        for (var i = 0; i < operations; i++)
        {
            run(create()).GetAwaiter().GetResult();
        }

        var thread = GC.GetAllocatedBytesForCurrentThread();
        var process = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < operations; i++)
        {
            run(create()).GetAwaiter().GetResult();
        }

        var threadBytes = (GC.GetAllocatedBytesForCurrentThread() - thread) / (double)operations;
        var processBytes = (GC.GetTotalAllocatedBytes(precise: true) - process) / (double)operations;
        Console.WriteLine($"// {name} ({Request.Scenario}): {threadBytes:F0} B per op allocated on the request thread, {processBytes:F0} B per op in the process.");
    }
}
