using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text;
using LlmGateway.Auth;
using LlmGateway.Errors;
using LlmGateway.Pipeline;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Releases;
using LlmGateway.Resilience;
using LlmGateway.Streaming;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace LlmGateway.Tests.Resilience;

/// <summary>
/// The forwarder's attempt loop on a <see cref="DefaultHttpContext"/>, with a scripted <c>next</c> standing in for the rest
/// of YARP: what each attempt sent (model, body), what reached the client, and the outcome. The client's response feature
/// behaves like Kestrel's: the first byte written starts the response, after which status and headers are read-only.
/// No network, no store; backoffs are zero (one test cancels a 60 s one), and the only waits are on the gateway's own
/// timers (a few tens of milliseconds).
/// </summary>
public sealed class ResilientForwarderTests : IDisposable
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers =
        {
            ["alpha"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://alpha/v1", Resilience = new ResilienceSettings { MaxAttempts = 3, BaseDelayMs = 0 } },
            ["beta"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://beta/v1", Resilience = new ResilienceSettings { MaxAttempts = 2, BaseDelayMs = 0 } },
            ["gamma"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://gamma/v1", Resilience = new ResilienceSettings { MaxAttempts = 2, BaseDelayMs = 0 } },
        },
        Models =
        {
            // "main" and "twin" are two deployments of one upstream model; "other" is another model.
            ["main"] = new CatalogModelOptions { Provider = "alpha", UpstreamModel = "gpt-x", Fallbacks = ["twin", "other"] },
            ["twin"] = new CatalogModelOptions { Provider = "beta", UpstreamModel = "gpt-x" },
            ["other"] = new CatalogModelOptions { Provider = "gamma", UpstreamModel = "other-model" },
            ["single"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { MaxAttempts = 1 } },
            ["four"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { MaxAttempts = 4 } },
            ["quick"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { FirstByteTimeoutMs = 20 } },
            ["stalls"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { IdleTimeoutMs = 20 } },
            ["patient"] = new CatalogModelOptions
            {
                Provider = "alpha", Fallbacks = ["other"],
                Resilience = new ResilienceSettings { MaxAttempts = 10, FirstByteTimeoutMs = 600_000, TotalTimeoutMs = 30 },
            },
            ["brief"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { TotalTimeoutMs = 2_000 } },
            ["tight"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { TotalTimeoutMs = 400 } },
            ["no-429-retry"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { RetryStatuses = [503] } },
            ["slow-retry"] = new CatalogModelOptions { Provider = "alpha", Resilience = new ResilienceSettings { BaseDelayMs = 60_000, MaxDelayMs = 60_000 } },
        },
    });

    private static readonly GatewayKey Key = new("key-1", "app", "production", [], DateTimeOffset.UnixEpoch);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly DestinationBreakers _breakers;
    private readonly Dictionary<string, ClusterState> _clusters = [];
    private readonly Dictionary<string, DestinationState> _destinations = [];
    private readonly GatewayMetrics _metrics;
    private readonly ResilientForwarder _forwarder;
    private readonly List<IDisposable> _disposables = [];
    private readonly CancellationTokenSource _clientAborted = new();

    public ResilientForwarderTests()
    {
        _breakers = new DestinationBreakers(_time);
        foreach (var provider in new[] { "alpha", "beta", "gamma" })
        {
            var id = $"provider:{provider}";
            _destinations[id] = new DestinationState("d1");
            _clusters[id] = new ClusterState(id) { DestinationsState = Destinations(id, available: true) };
        }

        _metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), new ReleaseSnapshotProvider(_time));
        _forwarder = ForwarderOn(TimeProvider.System);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A forwarder whose attempt timers and deadlines run on <paramref name="clock"/>.</summary>
    private ResilientForwarder ForwarderOn(TimeProvider clock) =>
        new(new ProxyState(_clusters), _breakers, _metrics, clock, Microsoft.Extensions.Options.Options.Create(new ProxyOptions()),
            new LlmGateway.Accounting.PricingTable(new LlmGateway.Accounting.PricingOptions()), Microsoft.Extensions.Options.Options.Create(new LlmGateway.Budgets.BudgetOptions()),
            NullLogger<ResilientForwarder>.Instance);

    [Fact]
    public async Task A_first_answer_is_served_with_one_attempt()
    {
        var run = await ForwardAsync("main", Respond(200, """{"ok":1}"""));

        Assert.Equal(["main"], run.Models);
        Assert.Equal(["gpt-x"], run.Bodies);
        Assert.Null(run.Outcome.Error);
        Assert.Null(run.Outcome.Interruption);
        Assert.False(run.Outcome.ClientGone);
        Assert.Equal("""{"ok":1}""", run.Client.Text);
        Assert.Equal(200, run.Context.Response.StatusCode);
        Assert.Equal("1", run.Context.Response.Headers[ResilientForwarder.AttemptsHeader]);
        Assert.Equal("main", run.Context.Response.Headers[ResilientForwarder.ServedModelHeader]);
        Assert.Same(run.BodyOf("main"), run.Outcome.Body);
        Assert.NotNull(run.Outcome.Tap);
    }

    [Fact]
    public async Task A_connection_failure_before_any_byte_is_retried_and_the_failed_attempt_leaves_nothing_behind()
    {
        var run = await ForwardAsync("main",
            Fail(ForwarderError.Request, ("X-Upstream-Request-Id", "first"), ("Content-Encoding", "gzip")),
            Respond(200, "answer", headers: ("X-Upstream-Request-Id", "second")));

        Assert.Equal(["main", "main"], run.Models);
        Assert.Equal(["gpt-x", "gpt-x"], run.Bodies);
        Assert.Null(run.Outcome.Error);
        Assert.Equal("answer", run.Client.Text);
        Assert.Equal("second", run.Context.Response.Headers["X-Upstream-Request-Id"]);
        Assert.False(run.Context.Response.Headers.ContainsKey("Content-Encoding"));
        Assert.Equal("req-1", run.Context.Response.Headers["X-Request-Id"]);
        Assert.Equal("2", run.Context.Response.Headers[ResilientForwarder.AttemptsHeader]);
        Assert.Null(run.Context.GetForwarderErrorFeature());
        Assert.Equal(2, run.Outcome.Attempts);
    }

    [Fact]
    public async Task A_retryable_status_is_held_back_so_the_client_sees_only_the_retry_that_worked()
    {
        var run = await ForwardAsync("main",
            Respond(503, """{"error":"busy"}"""),
            Respond(429, """{"error":"slow down"}""", headers: ("Retry-After", "0")),
            Respond(200, "fine"));

        Assert.Equal(["main", "main", "main"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(200, run.Context.Response.StatusCode);
        Assert.Equal("fine", run.Client.Text);
        Assert.False(run.Context.Response.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task The_last_held_error_is_released_to_the_client_as_the_provider_sent_it()
    {
        var run = await ForwardAsync("single", Respond(503, """{"error":{"message":"overloaded"}}""", headers: ("X-Upstream-Request-Id", "u-1")));

        Assert.Equal(["single"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(503, run.Context.Response.StatusCode);
        Assert.Equal("""{"error":{"message":"overloaded"}}""", run.Client.Text);
        Assert.Equal("u-1", run.Context.Response.Headers["X-Upstream-Request-Id"]);
        Assert.False(run.Outcome.Tap!.IsHoldingError);
    }

    [Fact]
    public async Task A_retryable_error_with_no_body_is_passed_on_as_it_came()
    {
        var run = await ForwardAsync("single", Respond(502, ""));

        Assert.Null(run.Outcome.Error);
        Assert.Equal(502, run.Context.Response.StatusCode);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task Once_a_byte_reached_the_client_a_cut_stream_is_not_retried_and_is_reported_as_cut()
    {
        var run = await ForwardAsync("main", Cut("data: {\"choices\":[]}\n\n"), Respond(200, "must not be sent"));

        Assert.Equal(["main"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(StreamInterruption.Cut, run.Outcome.Interruption);
        Assert.Equal("data: {\"choices\":[]}\n\n", run.Client.Text);
        Assert.True(run.Client.HasStarted);
    }

    [Fact]
    public async Task A_stream_that_goes_silent_past_the_idle_timeout_after_it_started_is_reported_as_stalled_not_retried()
    {
        var run = await ForwardAsync("stalls",
            async context =>
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/event-stream";
                await context.Response.Body.WriteAsync("data: {\"choices\":[]}\n\n"u8.ToArray());

                // From the first byte on, the attempt's timer measures silence with the idle timeout (20 ms).
                await WaitForTheTimer(ForwarderError.ResponseBodyCanceled)(context);
                context.Abort();
            },
            Respond(200, "must not be sent"));

        Assert.Equal(["stalls"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(StreamInterruption.Stalled, run.Outcome.Interruption);
        Assert.Equal("data: {\"choices\":[]}\n\n", run.Client.Text);
    }

    private static readonly string[] SlowClientChunks = ["data: {\"choices\":[]}\n\n", "data: {\"choices\":[1]}\n\n", "data: [DONE]\n\n"];

    /// <summary>The provider's stream of <see cref="SlowClientChunks"/>, each written to the client as it comes.</summary>
    private static async Task StreamsToTheClient(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        try
        {
            // YARP writes to the client with the attempt's token, as here.
            foreach (var chunk in SlowClientChunks)
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(chunk), context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.ResponseBodyCanceled));
        }
    }

    [Fact]
    public async Task A_client_reading_slowly_is_not_a_stalled_provider()
    {
        using var run = NewRun("stalls", allowModelFallback: true, [StreamsToTheClient]);
        // The client holds the first write for a minute of the gateway's clock, 3,000 times the idle timeout (20 ms):
        // the provider was never silent, the client slow. The write ends early only if the attempt's token cancels it.
        var clock = new FakeTimeProvider();
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 1;
        run.Client.Backpressure = async token =>
        {
            if (Interlocked.Exchange(ref first, 0) == 1)
            {
                writing.TrySetResult();
                await taken.Task.WaitAsync(token);
            }
        };

        var forwarding = run.StartAsync(ForwarderOn(clock));
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        taken.TrySetResult();
        await forwarding.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Null(run.Outcome.Error);
        Assert.Null(run.Outcome.Interruption);
        Assert.Equal(string.Concat(SlowClientChunks), run.Client.Text);
    }

    [Fact]
    public async Task A_client_reading_past_the_total_time_is_a_timed_out_stream_not_a_stalled_provider()
    {
        using var run = NewRun("brief", allowModelFallback: false, [StreamsToTheClient]);
        // The client takes the first chunk, then holds the second write past the model's whole 2 s: the total runs out
        // while the client reads.
        var clock = new FakeTimeProvider();
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        run.Client.Backpressure = async token =>
        {
            if (Interlocked.Increment(ref writes) == 2)
            {
                writing.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }
        };

        var forwarding = run.StartAsync(ForwarderOn(clock));
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        clock.Advance(TimeSpan.FromSeconds(3));
        await forwarding.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Null(run.Outcome.Error);
        Assert.Equal(StreamInterruption.TimedOut, run.Outcome.Interruption);
        Assert.StartsWith(SlowClientChunks[0], run.Client.Text, StringComparison.Ordinal);
        Assert.Contains("\"stream_timeout\"", System.Text.Encoding.UTF8.GetString(StreamErrorEvent.For(StreamInterruption.TimedOut).Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_retryable_error_status_is_the_answer_at_once()
    {
        var run = await ForwardAsync("main", Respond(400, """{"error":"bad"}"""), Respond(200, "must not be sent"));

        Assert.Equal(["main"], run.Models);
        Assert.Equal(400, run.Context.Response.StatusCode);
        Assert.Equal("""{"error":"bad"}""", run.Client.Text);
    }

    [Fact]
    public async Task A_complete_answer_is_not_retried_for_the_request_body_error_yarp_reports_after_it()
    {
        var run = await ForwardAsync("main", Respond(413, """{"error":"too large"}""", error: ForwarderError.RequestBodyDestination), Respond(200, "must not be sent"));

        Assert.Equal(["main"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(413, run.Context.Response.StatusCode);
        Assert.Equal("""{"error":"too large"}""", run.Client.Text);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task A_retryable_status_answered_before_the_provider_read_the_whole_body_is_retried(int status)
    {
        // It generated nothing, so a retry bills nothing twice: the retry table holds whatever the body's size.
        var run = await ForwardAsync("main",
            Respond(status, """{"error":"busy"}""", error: ForwarderError.RequestBodyDestination, headers: ("Retry-After", "0")),
            Respond(200, "fine"));

        Assert.Equal(["main", "main"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(200, run.Context.Response.StatusCode);
        Assert.Equal("fine", run.Client.Text);
    }

    [Fact]
    public async Task A_retryable_status_answered_before_the_whole_body_on_the_last_attempt_is_released_as_it_came()
    {
        var run = await ForwardAsync("single", Respond(503, """{"error":"busy"}""", error: ForwarderError.RequestBodyDestination));

        Assert.Equal(["single"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal(503, run.Context.Response.StatusCode);
        Assert.Equal("""{"error":"busy"}""", run.Client.Text);
    }

    [Theory]
    [InlineData(503, ForwarderError.ResponseBodyDestination)]
    [InlineData(503, ForwarderError.ResponseBodyCanceled)]
    [InlineData(429, ForwarderError.ResponseBodyDestination)]
    public async Task A_held_error_whose_body_then_fails_is_never_released_the_client_gets_the_gateways_error_and_headers(int status, ForwarderError error)
    {
        var run = await ForwardAsync("single", HeldThenFailed(status, error));

        Assert.Equal(["single"], run.Models);
        Assert.Equal(GatewayError.UpstreamUnavailable("alpha"), run.Outcome.Error);
        Assert.Equal("", run.Client.Text);
        Assert.False(run.Client.HasStarted);
        Assert.Equal(
            ["X-Request-Id: req-1", "X-Prompt-Name: bot", $"{ResilientForwarder.AttemptsHeader}: 1", $"{ResilientForwarder.ServedModelHeader}: single"],
            run.Context.Response.Headers.Select(h => $"{h.Key}: {h.Value}"));
        Assert.False(run.Outcome.Tap!.IsHoldingError);
        // Nothing of the provider's text is left for the sample either.
        Assert.Empty(run.Outcome.Tap.TakeSampleBytes());
    }

    [Fact]
    public async Task A_held_error_that_stalls_on_every_attempt_is_the_gateways_504()
    {
        var run = await ForwardAsync("stalls",
            HeldThenFailed(503, ForwarderError.ResponseBodyCanceled, stall: true),
            HeldThenFailed(503, ForwarderError.ResponseBodyCanceled, stall: true),
            HeldThenFailed(503, ForwarderError.ResponseBodyCanceled, stall: true));

        Assert.Equal(["stalls", "stalls", "stalls"], run.Models);
        Assert.Equal(GatewayError.UpstreamTimeout("alpha"), run.Outcome.Error);
        Assert.Equal("", run.Client.Text);
        Assert.Equal("req-1", run.Context.Response.Headers["X-Request-Id"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_providers_401_whose_body_then_fails_is_the_gateways_upstream_auth_failed_not_retried_nor_fallen_back(bool stall)
    {
        var run = await ForwardAsync(stall ? "stalls" : "main", HeldThenFailed(401, ForwarderError.ResponseBodyCanceled, stall), Respond(200, "must not be sent"));

        Assert.Single(run.Models);
        Assert.Equal(GatewayError.UpstreamAuthFailed("alpha"), run.Outcome.Error);
        Assert.Equal("", run.Client.Text);
        Assert.Equal("req-1", run.Context.Response.Headers["X-Request-Id"]);
        Assert.Empty(run.Outcome.Tap!.TakeSampleBytes());
    }

    [Fact]
    public async Task A_request_body_error_without_any_response_is_retried()
    {
        var run = await ForwardAsync("main", Fail(ForwarderError.RequestBodyDestination), Respond(200, "ok"));

        Assert.Equal(["main", "main"], run.Models);
        Assert.Equal("ok", run.Client.Text);
    }

    [Theory]
    [InlineData("single", 1)]
    [InlineData("four", 4)]
    [InlineData("twin", 2)]
    public async Task A_model_gets_exactly_its_attempt_cap_and_then_a_502_naming_its_provider(string model, int attempts)
    {
        var script = Enumerable.Repeat(Fail(ForwarderError.Request), attempts).ToArray();

        var run = await ForwardAsync(model, allowModelFallback: false, script);

        Assert.Equal(Enumerable.Repeat(model, attempts), run.Models);
        var provider = Catalog.Models.Single(m => m.Name == model).Provider.Name;
        Assert.Equal(GatewayError.UpstreamUnavailable(provider), run.Outcome.Error);
        Assert.Equal(attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), run.Context.Response.Headers[ResilientForwarder.AttemptsHeader]);
        Assert.Equal(model, run.Context.Response.Headers[ResilientForwarder.ServedModelHeader]);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task An_outcome_once_disposed_leaves_nothing_of_its_request_to_the_next()
    {
        // A request that ends with the gateway's error, its state then given back as the forward stage gives it back.
        var failed = await ForwardAsync("single", Fail(ForwarderError.Request));
        Assert.Equal(GatewayError.UpstreamUnavailable("alpha"), failed.Outcome.Error);
        failed.Release();
        Assert.Null(failed.Context.Features.Get<IUpstreamAttemptFeature>());

        // Requests after it (the pool is shared, so whichever state each gets) start as new.
        for (var i = 0; i < 3; i++)
        {
            var served = await ForwardAsync("main", Respond(200, "ok"));
            var outcome = served.Outcome;
            Assert.Equal(("main", 1, null, null, null, false), (outcome.ServedModel.Name, outcome.Attempts, outcome.Error, outcome.RetryAfter, outcome.Interruption, outcome.ClientGone));
            Assert.Same(served.BodyOf("main"), outcome.Body);
            Assert.Equal(["main"], served.Models);
            served.Release();
        }
    }

    [Fact]
    public async Task A_gateway_error_answer_keeps_only_the_gateway_headers()
    {
        var run = await ForwardAsync("single", Fail(ForwarderError.ResponseHeaders, ("Content-Encoding", "br"), ("Content-Length", "99"), ("X-Upstream-Request-Id", "u")));

        Assert.Equal(GatewayError.UpstreamUnavailable("alpha"), run.Outcome.Error);
        Assert.Equal(
            ["X-Request-Id: req-1", "X-Prompt-Name: bot", $"{ResilientForwarder.AttemptsHeader}: 1", $"{ResilientForwarder.ServedModelHeader}: single"],
            run.Context.Response.Headers.Select(h => $"{h.Key}: {h.Value}"));
        Assert.Equal(200, run.Context.Response.StatusCode);
    }

    [Fact]
    public async Task An_attempt_yarp_reports_as_timed_out_is_a_504()
    {
        var run = await ForwardAsync("single", Fail(ForwarderError.RequestTimedOut));

        Assert.Equal(GatewayError.UpstreamTimeout("alpha"), run.Outcome.Error);
    }

    [Fact]
    public async Task Silence_past_the_first_byte_timeout_is_retried_as_a_timeout()
    {
        var run = await ForwardAsync("quick", WaitForTheTimer(ForwarderError.RequestCanceled), WaitForTheTimer(ForwarderError.RequestCanceled), WaitForTheTimer(ForwarderError.RequestCanceled));

        Assert.Equal(["quick", "quick", "quick"], run.Models);
        Assert.Equal(GatewayError.UpstreamTimeout("alpha"), run.Outcome.Error);
    }

    [Theory]
    [InlineData(ForwarderError.RequestCanceled)]
    // What YARP reports when the attempt's token is cancelled while it still sends the body (a large prompt, a slow provider).
    [InlineData(ForwarderError.RequestBodyCanceled)]
    public async Task A_first_byte_timeout_then_an_answer_is_served(ForwarderError reported)
    {
        var run = await ForwardAsync("quick", WaitForTheTimer(reported), Respond(200, "late but fine"));

        Assert.Equal(["quick", "quick"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal("late but fine", run.Client.Text);
    }

    [Fact]
    public async Task The_total_timeout_ends_the_request_with_a_504_and_no_fallback_is_tried()
    {
        // Each attempt waits for the gateway's timer; the total (30 ms) is far below the first-byte timeout, and the cap
        // (10 attempts) is never what stops it.
        var run = await ForwardAsync("patient", [.. Enumerable.Repeat(WaitForTheTimer(ForwarderError.RequestCanceled), 10)]);

        Assert.DoesNotContain("other", run.Models);
        Assert.Equal(GatewayError.UpstreamTimeout("alpha"), run.Outcome.Error);
    }

    [Fact]
    public async Task Fallbacks_are_tried_in_order_each_with_its_own_body_and_attempt_cap()
    {
        var run = await ForwardAsync("main",
            Fail(ForwarderError.Request), Respond(503, "a"), Fail(ForwarderError.Request),
            Respond(500, "b"), Fail(ForwarderError.ResponseHeaders),
            Respond(200, "served by other"));

        Assert.Equal(["main", "main", "main", "twin", "twin", "other"], run.Models);
        Assert.Equal(["gpt-x", "gpt-x", "gpt-x", "gpt-x", "gpt-x", "other-model"], run.Bodies);
        Assert.Null(run.Outcome.Error);
        Assert.Equal("served by other", run.Client.Text);
        Assert.Equal(200, run.Context.Response.StatusCode);
        Assert.Equal("6", run.Context.Response.Headers[ResilientForwarder.AttemptsHeader]);
        Assert.Equal("other", run.Context.Response.Headers[ResilientForwarder.ServedModelHeader]);
        Assert.Equal("other", run.Outcome.ServedModel.Name);
        Assert.Equal("main", run.Exchange.Model.Name);
        Assert.Same(run.BodyOf("other"), run.Outcome.Body);
    }

    [Fact]
    public async Task Without_model_fallback_only_other_deployments_of_the_same_model_are_tried()
    {
        var run = await ForwardAsync("main", allowModelFallback: false,
            Fail(ForwarderError.Request), Fail(ForwarderError.Request), Fail(ForwarderError.Request),
            Fail(ForwarderError.Request), Fail(ForwarderError.Request));

        Assert.Equal(["main", "main", "main", "twin", "twin"], run.Models);
        Assert.Equal(GatewayError.UpstreamUnavailable("beta"), run.Outcome.Error);
        Assert.Equal("twin", run.Context.Response.Headers[ResilientForwarder.ServedModelHeader]);
    }

    [Fact]
    public async Task The_last_model_tried_gives_the_answer_not_an_earlier_held_error()
    {
        var run = await ForwardAsync("main", allowModelFallback: false,
            Respond(503, "main busy"), Respond(503, "main busy"), Respond(503, "main busy"),
            Fail(ForwarderError.Request), Fail(ForwarderError.Request));

        Assert.Equal(GatewayError.UpstreamUnavailable("beta"), run.Outcome.Error);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task A_fallback_whose_last_attempt_is_held_releases_its_own_error()
    {
        var run = await ForwardAsync("main", allowModelFallback: false,
            Fail(ForwarderError.Request), Fail(ForwarderError.Request), Fail(ForwarderError.Request),
            Respond(503, "twin busy 1"), Respond(503, "twin busy 2"));

        Assert.Null(run.Outcome.Error);
        Assert.Equal(503, run.Context.Response.StatusCode);
        Assert.Equal("twin busy 2", run.Client.Text);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_cap_is_not_waited_for_and_the_fallback_serves_at_once()
    {
        var run = await ForwardAsync("main", Respond(429, "later", headers: ("Retry-After", "11")), Respond(200, "twin"));

        Assert.Equal(["main", "twin"], run.Models);
        Assert.Equal("twin", run.Client.Text);
    }

    [Fact]
    public async Task A_retry_after_that_outlasts_the_total_timeout_is_not_waited_for_and_the_client_gets_a_429_with_it()
    {
        // Waiting 5 s with 2 s left would end in the gateway's 504 instead of a 429 and the provider's Retry-After. The
        // 429 is the gateway's own (the provider's text names the operators' account): nothing of it reached the client.
        var run = await ForwardAsync("brief", Respond(429, "later", headers: ("Retry-After", "5")), Respond(200, "never asked"));

        Assert.Equal(["brief"], run.Models);
        Assert.Equal(GatewayError.UpstreamRateLimited("alpha"), run.Outcome.Error);
        Assert.Equal(TimeSpan.FromSeconds(5), run.Outcome.RetryAfter);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task A_retry_whose_backoff_and_answer_cannot_fit_in_the_total_timeout_is_not_tried_and_the_providers_answer_stands()
    {
        // 400 ms in all: the backoff and half a second for the provider to answer do not fit, and the retry would have ended in
        // the gateway's 504, the provider's 503 thrown away.
        var run = await ForwardAsync("tight", Respond(503, "busy, try later"), Respond(200, "never asked"));

        Assert.Equal(["tight"], run.Models);
        Assert.Null(run.Outcome.Error);
        Assert.Equal("busy, try later", run.Client.Text);
    }

    [Fact]
    public async Task A_429_that_is_not_retried_is_still_answered_in_the_gateways_words()
    {
        var run = await ForwardAsync("no-429-retry", Respond(429, "Rate limit reached in organization org-secret", headers: ("Retry-After", "7")), Respond(200, "never asked"));

        Assert.Single(run.Models);
        Assert.Equal(GatewayError.UpstreamRateLimited("alpha"), run.Outcome.Error);
        Assert.Equal(TimeSpan.FromSeconds(7), run.Outcome.RetryAfter);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task A_forwarding_failure_that_cannot_be_retried_is_the_gateways_502_not_yarps_bare_status()
    {
        var run = await ForwardAsync("main", Fail(ForwarderError.RequestCreation));

        Assert.Equal(["main"], run.Models);
        Assert.Equal(GatewayError.UpstreamUnavailable("alpha"), run.Outcome.Error);
    }

    [Fact]
    public async Task A_model_without_a_healthy_destination_is_skipped_without_an_attempt()
    {
        _clusters["provider:alpha"].DestinationsState = Destinations("provider:alpha", available: false);

        var run = await ForwardAsync("main", Respond(200, "from twin"));

        Assert.Equal(["twin"], run.Models);
        Assert.Equal("from twin", run.Client.Text);
        Assert.Equal("1", run.Context.Response.Headers[ResilientForwarder.AttemptsHeader]);
    }

    [Fact]
    public async Task No_healthy_destination_anywhere_is_a_503_with_the_soonest_circuit_reopening_as_retry_after()
    {
        foreach (var (id, cluster) in _clusters)
        {
            cluster.DestinationsState = Destinations(id, available: false);
        }

        _breakers.Failed("provider:beta", "d1", threshold: 1, TimeSpan.FromSeconds(30));
        _breakers.Failed("provider:gamma", "d1", threshold: 1, TimeSpan.FromSeconds(12));
        _time.Advance(TimeSpan.FromSeconds(2));

        var run = await ForwardAsync("main");

        Assert.Empty(run.Models);
        Assert.Equal(GatewayError.NoHealthyUpstream("main"), run.Outcome.Error);
        Assert.Equal(TimeSpan.FromSeconds(10), run.Outcome.RetryAfter);
        Assert.Null(run.Outcome.Tap);
        Assert.False(run.Context.Response.Headers.ContainsKey(ResilientForwarder.AttemptsHeader));
    }

    [Fact]
    public async Task No_healthy_destination_and_no_open_circuit_says_retry_after_one_second()
    {
        _clusters["provider:alpha"].DestinationsState = Destinations("provider:alpha", available: false);

        var run = await ForwardAsync("single");

        Assert.Equal(GatewayError.NoHealthyUpstream("single"), run.Outcome.Error);
        Assert.Equal(TimeSpan.FromSeconds(1), run.Outcome.RetryAfter);
    }

    [Fact]
    public async Task A_models_open_circuit_moves_that_model_to_its_fallback_and_serves_the_providers_others()
    {
        _breakers.Failed("provider:alpha", "d1", "gpt-x", threshold: 1, TimeSpan.FromSeconds(30), responded: true);

        var moved = await ForwardAsync("main", Respond(200, "from twin"));
        var served = await ForwardAsync("single", Respond(200, "from alpha"));

        Assert.Equal(["twin"], moved.Models);
        Assert.Equal("from twin", moved.Client.Text);
        Assert.Equal(["single"], served.Models);
        Assert.Equal("from alpha", served.Client.Text);
    }

    [Fact]
    public async Task A_deployment_out_for_the_model_is_not_offered_to_load_balancing()
    {
        var first = _destinations["provider:alpha"];
        var second = new DestinationState("d2");
        _clusters["provider:alpha"].DestinationsState = new ClusterDestinationsState([first, second], [first, second]);
        _breakers.Failed("provider:alpha", "d1", "gpt-x", threshold: 1, TimeSpan.FromSeconds(30), responded: true);

        var run = await ForwardAsync("main", Respond(200, "from d2"));
        var other = await ForwardAsync("single", Respond(200, "from either"));

        Assert.Equal(["main"], run.Models);
        Assert.Same(second, Assert.Single(Assert.Single(run.Offered)));
        Assert.Same(_clusters["provider:alpha"].DestinationsState.AvailableDestinations, Assert.Single(other.Offered));
    }

    [Fact]
    public async Task A_circuit_that_opens_during_the_request_moves_it_to_the_fallback()
    {
        var run = await ForwardAsync("main",
            context =>
            {
                // This attempt's failure trips the breaker: YARP takes the destination out of rotation.
                _clusters["provider:alpha"].DestinationsState = Destinations("provider:alpha", available: false);
                return Fail(ForwarderError.Request)(context);
            },
            Respond(200, "twin answered"));

        Assert.Equal(["main", "twin"], run.Models);
        Assert.Equal("twin answered", run.Client.Text);
    }

    [Fact]
    public async Task No_available_destinations_reported_by_yarp_moves_to_the_fallback_without_retrying()
    {
        var run = await ForwardAsync("main", Fail(ForwarderError.NoAvailableDestinations), Respond(200, "twin"));

        Assert.Equal(["main", "twin"], run.Models);
        Assert.Equal("twin", run.Client.Text);
    }

    [Theory]
    [InlineData("main")]
    [InlineData("single")]
    public async Task The_client_leaving_during_an_attempt_stops_everything_and_sends_nothing(string model)
    {
        // "single" has no retry and no fallback left: only the attempt's own check can tell the client went away.
        var run = await ForwardAsync(model,
            context =>
            {
                _clientAborted.Cancel();
                return Respond(503, "busy", error: ForwarderError.RequestCanceled)(context);
            },
            Respond(200, "must not be sent"));

        Assert.Equal([model], run.Models);
        Assert.True(run.Outcome.ClientGone);
        Assert.Null(run.Outcome.Error);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task A_client_gone_before_the_first_attempt_costs_no_attempt()
    {
        await _clientAborted.CancelAsync();

        var run = await ForwardAsync("main", Respond(200, "must not be sent"));

        Assert.Empty(run.Models);
        Assert.True(run.Outcome.ClientGone);
        Assert.Equal(0, run.Outcome.Attempts);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task A_client_gone_after_a_retryable_answer_is_not_retried()
    {
        var run = await ForwardAsync("main",
            context =>
            {
                // The provider answers 503 in full (nothing aborted), then the client leaves before a retry could start.
                var answered = Respond(503, "busy")(context);
                _clientAborted.Cancel();
                return answered;
            },
            Respond(200, "must not be sent"));

        Assert.Equal(["main"], run.Models);
        Assert.Equal(1, run.Outcome.Attempts);
        Assert.DoesNotContain("must not be sent", run.Client.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_held_error_released_to_a_client_that_has_just_left_still_ends_in_an_outcome(bool answeredBeforeTheBody)
    {
        // The last attempt's 503 (retries spent, or answered before the provider read the body: it stands) is released
        // as the client leaves: the write fails, yet the request still ends in an outcome to bill, count and trace.
        using var run = NewRun("single", allowModelFallback: false,
            [Respond(503, "busy", error: answeredBeforeTheBody ? ForwarderError.RequestBodyDestination : null)]);
        run.Client.Backpressure = token =>
        {
            _clientAborted.Cancel();
            throw new OperationCanceledException(token);
        };

        var outcome = await run.StartAsync(_forwarder);

        Assert.Equal(["single"], run.Models);
        Assert.Equal(1, outcome.Attempts);
        Assert.Null(outcome.Error);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task The_client_leaving_during_a_backoff_ends_the_wait_at_once()
    {
        using var run = NewRun("slow-retry", allowModelFallback: true, [Fail(ForwarderError.Request), Respond(200, "must not be sent")]);

        // The first attempt fails synchronously, so this returns inside the 60 s backoff.
        var forwarding = run.StartAsync(_forwarder);
        Assert.False(forwarding.IsCompleted);
        Assert.Equal(["slow-retry"], run.Models);
        await _clientAborted.CancelAsync();
        var outcome = await forwarding.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.True(outcome.ClientGone);
        Assert.Equal(["slow-retry"], run.Models);
        Assert.Equal("", run.Client.Text);
    }

    [Fact]
    public async Task Attempts_of_a_client_that_left_during_a_backoff_are_counted()
    {
        using var measurements = AttemptMeasurements();
        using var run = NewRun("slow-retry", allowModelFallback: true, [Fail(ForwarderError.Request), Respond(200, "must not be sent")]);

        // The first attempt fails synchronously, so this returns inside the 60 s backoff.
        var forwarding = run.StartAsync(_forwarder);
        Assert.False(forwarding.IsCompleted);
        await _clientAborted.CancelAsync();
        await forwarding.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal([(1L, "gateway.model=slow-retry,outcome=client_gone")], measurements.Values);
    }

    [Fact]
    public async Task Attempts_of_a_client_that_left_before_a_fallbacks_first_attempt_are_counted()
    {
        using var measurements = AttemptMeasurements();
        // The fallback is counted just before its first attempt would start: the client leaves then.
        measurements.OnFallback = _clientAborted.Cancel;

        var run = await ForwardAsync("main", Fail(ForwarderError.Request), Fail(ForwarderError.Request), Fail(ForwarderError.Request), Respond(200, "must not be sent"));

        Assert.True(run.Outcome.ClientGone);
        Assert.Equal(["main", "main", "main"], run.Models);
        Assert.Equal([(3L, "gateway.model=main,outcome=client_gone")], measurements.Values);
    }

    /// <summary>Listens to this test's <c>gateway.upstream.attempts</c> (and tells of its fallbacks).</summary>
    private AttemptListener AttemptMeasurements() => new(_services.GetRequiredService<IMeterFactory>());

    private sealed class AttemptListener : IDisposable
    {
        private readonly MeterListener _listener = new();

        public AttemptListener(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name is "gateway.upstream.attempts" or "gateway.upstream.fallbacks")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "gateway.upstream.fallbacks")
                {
                    OnFallback?.Invoke();
                    return;
                }

                lock (Values)
                {
                    Values.Add((value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
                }
            });
            _listener.Start();
        }

        public List<(long Value, string Tags)> Values { get; } = [];

        public Action? OnFallback { get; set; }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task A_non_streamed_answer_cut_while_held_reached_no_one_so_it_is_retried_and_only_the_retry_is_released()
    {
        // The middleware holds a non-streamed JSON body until its usage headers are set.
        using var run = NewRun("main", allowModelFallback: true, [Cut("""{"id":"first","choi""", "application/json"), Respond(200, """{"id":"second"}""")], holdJson: true);

        var outcome = await run.StartAsync(_forwarder);
        Assert.Equal("", run.Client.Text);
        await outcome.Tap!.ReleaseHeldAsync(Ct);

        Assert.Equal(["main", "main"], run.Models);
        Assert.Null(outcome.Error);
        Assert.Null(outcome.Interruption);
        Assert.Equal("""{"id":"second"}""", run.Client.Text);
    }

    [Fact]
    public async Task A_failure_inside_next_propagates_with_the_client_features_put_back()
    {
        using var run = NewRun("main", allowModelFallback: true, [_ => throw new InvalidOperationException("transform bug")]);
        var lifetime = run.Context.Features.Get<IHttpRequestLifetimeFeature>();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => run.StartAsync(_forwarder));

        Assert.Equal("transform bug", thrown.Message);
        Assert.Equal(["main"], run.Models);
        Assert.Same(run.Client, run.Context.Features.Get<IHttpResponseBodyFeature>());
        Assert.Same(lifetime, run.Context.Features.Get<IHttpRequestLifetimeFeature>());
    }

    [Fact]
    public async Task Attempts_retries_and_fallbacks_are_counted_by_model_and_reason()
    {
        var measurements = new List<(string Instrument, long Value, string Tags)>();
        using var listener = new MeterListener();
        var factory = _services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name.StartsWith("gateway.upstream.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
            }
        });
        listener.Start();

        await ForwardAsync("main", Fail(ForwarderError.Request), Respond(503, "x"), Fail(ForwarderError.RequestTimedOut), Respond(200, "ok"));

        Assert.Equal(
            [
                ("gateway.upstream.retries", 1L, "gateway.model=main,reason=connection"),
                ("gateway.upstream.retries", 1L, "gateway.model=main,reason=503"),
                ("gateway.upstream.fallbacks", 1L, "gateway.model=main,fallback=twin"),
                ("gateway.upstream.retries", 1L, "gateway.model=twin,reason=timeout"),
                ("gateway.upstream.attempts", 4L, "gateway.model=twin,outcome=served"),
            ],
            measurements);
    }

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _clientAborted.Dispose();
        _services.Dispose();
    }

    /// <summary>The cluster's one destination, in rotation or not.</summary>
    private ClusterDestinationsState Destinations(string cluster, bool available)
    {
        var destination = _destinations[cluster];
        return new ClusterDestinationsState([destination], available ? [destination] : []);
    }

    private static Func<HttpContext, Task> Respond(int status, string body, string contentType = "application/json", ForwarderError? error = null, params (string Name, string Value)[] headers) =>
        async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            if (body.Length > 0)
            {
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
            }

            if (error is { } e)
            {
                context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(e));
            }
        };

    private static Func<HttpContext, Task> Fail(ForwarderError error, params (string Name, string Value)[] headers) =>
        context =>
        {
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error));
            return Task.CompletedTask;
        };

    /// <summary>The provider sends the start of a stream, then the connection breaks: YARP reports it and aborts the client.</summary>
    private static Func<HttpContext, Task> Cut(string partial, string contentType = "text/event-stream") =>
        async context =>
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(partial));
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(ForwarderError.ResponseBodyDestination));
            context.Abort();
        };

    /// <summary>
    /// The provider starts an error (held by the tap, with a sample being taken), then its body is cut or, with
    /// <paramref name="stall"/>, goes silent until the attempt's timer fires. YARP then does what it does for a failed
    /// body no byte of which reached the client: clears the response, sets 502 and reports the error.
    /// </summary>
    private static Func<HttpContext, Task> HeldThenFailed(int status, ForwarderError error, bool stall = false) =>
        async context =>
        {
            ((ResponseTap)context.Features.GetRequiredFeature<IHttpResponseBodyFeature>()).StartSampleCapture(1024);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.Headers["X-Upstream-Request-Id"] = "u-1";
            await context.Response.Body.WriteAsync("""{"error":{"message":"Incorrect API key provided: sk-pr"""u8.ToArray());
            if (stall)
            {
                var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await using (context.RequestAborted.Register(() => fired.TrySetResult()))
                {
                    await fired.Task;
                }
            }

            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error));
        };

    /// <summary>The provider never answers: YARP's send is cancelled by the attempt's token (the gateway's timers).</summary>
    private static Func<HttpContext, Task> WaitForTheTimer(ForwarderError error) =>
        async context =>
        {
            var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (context.RequestAborted.Register(() => fired.TrySetResult()))
            {
                await fired.Task;
            }

            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error));
        };

    private async Task<Run> ForwardAsync(string model, params Func<HttpContext, Task>[] script) =>
        await ForwardAsync(model, allowModelFallback: true, script);

    private async Task<Run> ForwardAsync(string model, bool allowModelFallback, params Func<HttpContext, Task>[] script)
    {
        var run = NewRun(model, allowModelFallback, script);
        _disposables.Add(run);
        await run.StartAsync(_forwarder);
        return run;
    }

    private Run NewRun(string model, bool allowModelFallback, Func<HttpContext, Task>[] script, bool holdJson = false)
    {
        var catalogModel = Catalog.Models.Single(m => m.Name == model);
        var clientBody = new PooledBuffer(64);
        clientBody.Write(Encoding.UTF8.GetBytes($$"""{"model":"{{model}}","messages":[]}"""));
        var scan = RequestBodyScanner.Scan(clientBody.WrittenSpan);
        var (bodies, error) = UpstreamBodies.Create(clientBody, scan, catalogModel, bundle: null, rendered: null, injectUsage: false);
        Assert.Null(error);
        var exchange = new LlmExchange
        {
            RequestId = "req-1",
            Key = Key,
            Endpoint = "/v1/chat/completions",
            ClientBody = clientBody,
            Scan = scan,
            Model = catalogModel,
            Upstream = bodies!,
            InputEstimate = new LlmGateway.Accounting.PromptTokenEstimate(ReadOnlyMemory<byte>.Empty, catalogModel.Encoding),
            AllowModelFallback = allowModelFallback,
            ReservedOutputTokens = catalogModel.MaxOutputTokens,
        };
        return new Run(exchange, holdJson, script, cluster => _destinations[cluster], _clientAborted.Token);
    }

    /// <summary>One request through the forwarder: the scripted upstream, the client, and what each attempt sent.</summary>
    private sealed class Run : IDisposable
    {
        private readonly Func<HttpContext, Task>[] _script;
        private readonly List<ResponseTap> _taps = [];
        private readonly bool _holdJson;
        private readonly Func<string, DestinationState> _destinationOf;
        private ForwardOutcome? _outcome;

        public Run(LlmExchange exchange, bool holdJson, Func<HttpContext, Task>[] script, Func<string, DestinationState> destinationOf, CancellationToken clientAborted)
        {
            Exchange = exchange;
            _holdJson = holdJson;
            _destinationOf = destinationOf;
            _script = script;
            Context.Features.Set<IHttpResponseFeature>(Client);
            Context.Features.Set<IHttpResponseBodyFeature>(Client);
            Context.Features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = clientAborted });
            Context.Features.Set(Exchange);
            Context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
            {
                Route = new RouteModel(new RouteConfig { RouteId = "openai-v1-chat-completions" }, null, HttpTransformer.Empty),
                Cluster = null!,
                AllDestinations = [],
                AvailableDestinations = [],
            });

            // The gateway's own headers, set before forwarding.
            Context.Response.Headers["X-Request-Id"] = "req-1";
            Context.Response.Headers["X-Prompt-Name"] = "bot";
        }

        public DefaultHttpContext Context { get; } = new();

        public ClientResponse Client { get; } = new();

        public LlmExchange Exchange { get; }

        public List<string> Models { get; } = [];

        /// <summary>The destinations load balancing could pick from, per attempt.</summary>
        public List<IReadOnlyList<DestinationState>> Offered { get; } = [];

        /// <summary>The <c>model</c> named in each attempt's body.</summary>
        public List<string> Bodies { get; } = [];

        public ForwardOutcome Outcome => _outcome ?? throw new InvalidOperationException("Not forwarded yet.");

        public PooledBuffer BodyOf(string model) => Exchange.Upstream.For(Catalog.Models.Single(m => m.Name == model));

        public async Task<ForwardOutcome> StartAsync(ResilientForwarder forwarder)
        {
            _outcome = await forwarder.ForwardAsync(Context, NextAsync, new ForwardRequest(Exchange, StripUsageChunk: false, _holdJson, _taps.Add));
            return _outcome;
        }

        /// <summary>Ends the request as the forward stage does: its tap, then its outcome (whose state goes back to the pool).</summary>
        public void Release()
        {
            var outcome = Outcome;
            _outcome = null;
            outcome.Tap?.Dispose();
            outcome.Dispose();
        }

        public void Dispose()
        {
            _outcome?.Tap?.Dispose();
            Client.Dispose();
            Exchange.Upstream.Dispose();
            Exchange.ClientBody.Dispose();
        }

        private async Task NextAsync(HttpContext context)
        {
            Assert.Same(_taps[^1], context.Features.Get<IHttpResponseBodyFeature>());
            Assert.IsType<ForwardingLifetime>(context.Features.Get<IHttpRequestLifetimeFeature>());
            using var reader = new StreamReader(context.Request.Body);
            var sent = await reader.ReadToEndAsync();
            Assert.Equal(Encoding.UTF8.GetByteCount(sent), context.Request.ContentLength);
            using (var json = System.Text.Json.JsonDocument.Parse(sent))
            {
                Bodies.Add(json.RootElement.GetProperty("model").GetString()!);
            }

            var model = context.Features.GetRequiredFeature<IUpstreamAttemptFeature>().Model;
            Models.Add(model.Name);
            // Reassigned to the cluster of the model being tried.
            Assert.Contains(_destinationOf(model.Provider.ClusterId), context.GetReverseProxyFeature().AllDestinations);
            Offered.Add(context.GetReverseProxyFeature().AvailableDestinations);
            Assert.True(Models.Count <= _script.Length, $"attempt {Models.Count} was not expected (only {_script.Length} scripted)");
            await _script[Models.Count - 1](context);
        }
    }

    /// <summary>The client's side of the response, as Kestrel keeps it: started by the first byte, then read-only.</summary>
    private sealed class ClientResponse : IHttpResponseFeature, IHttpResponseBodyFeature, IDisposable
    {
        private readonly MemoryStream _received = new();
        private readonly ClientStream _stream;
        private int _status = 200;

        public ClientResponse() => _stream = new ClientStream(this);

        public string Text => Encoding.UTF8.GetString(_received.ToArray());

        public bool HasStarted { get; private set; }

        /// <summary>Awaited before each write is taken, with the writer's token: a client reading slowly (backpressure).</summary>
        public Func<CancellationToken, Task>? Backpressure { get; set; }

        public int StatusCode
        {
            get => _status;
            set => _status = HasStarted ? throw new InvalidOperationException("StatusCode cannot be set: the response has started.") : value;
        }

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

        public Stream Body
        {
            get => _stream;
            set => throw new NotSupportedException();
        }

        Stream IHttpResponseBodyFeature.Stream => _stream;

        public PipeWriter Writer => throw new NotSupportedException("The tap writes to the stream.");

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default)
        {
            Start();
            return Task.CompletedTask;
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CompleteAsync()
        {
            Start();
            return Task.CompletedTask;
        }

        public void OnStarting(Func<object, Task> callback, object state)
        {
        }

        public void OnCompleted(Func<object, Task> callback, object state)
        {
        }

        public void Dispose()
        {
            _stream.Dispose();
            _received.Dispose();
        }

        private void Start()
        {
            HasStarted = true;
            ((HeaderDictionary)Headers).IsReadOnly = true;
        }

        private sealed class ClientStream(ClientResponse owner) : Stream
        {
            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => owner._received.Length;

            public override long Position { get => Length; set => throw new NotSupportedException(); }

            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> buffer)
            {
                owner.Start();
                owner._received.Write(buffer);
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                Write(buffer.AsSpan(offset, count));
                return Task.CompletedTask;
            }

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (owner.Backpressure is { } wait)
                {
                    // Like Kestrel: a write waiting on the client ends with the writer's token.
                    await wait(cancellationToken);
                }

                Write(buffer.Span);
            }

            public override void Flush()
            {
            }

            public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }

    private sealed class ErrorFeature(ForwarderError error) : IForwarderErrorFeature
    {
        public ForwarderError Error => error;

        public Exception? Exception => null;
    }

    private sealed class ProxyState(Dictionary<string, ClusterState> clusters) : IProxyStateLookup
    {
        public bool TryGetRoute(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RouteModel? route)
        {
            route = null;
            return false;
        }

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClusterState? cluster) => clusters.TryGetValue(id, out cluster);

        public IEnumerable<ClusterState> GetClusters() => clusters.Values;
    }
}
