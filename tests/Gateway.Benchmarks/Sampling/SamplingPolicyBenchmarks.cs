using BenchmarkDotNet.Attributes;
using LlmGateway.Auth;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Rewriting;
using LlmGateway.Routing;
using LlmGateway.Sampling;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Benchmarks.Sampling;

/// <summary>
/// The sampling decision every forwarded request makes before anything is sent
/// (<c>SamplingPolicy.Decide</c>, through <c>RequestSampler.Decide</c>): the force header, then the
/// gateway's own draw against the arm's rate, then the hourly floor. Default options (stable 1%,
/// canary 20%, no floor) plus a plain-model rate of 1%. The path-specific cases draw a fixed point so
/// each takes the path it names; <see cref="PromptAtRate"/> draws as the gateway does. The request
/// carries the headers an SDK sends, not the force header.
/// </summary>
[MemoryDiagnoser]
public class SamplingPolicyBenchmarks
{
    private const string Prompt = "support-bot";

    private SamplingPolicy _notSampled = null!;
    private SamplingPolicy _sampled = null!;
    private SamplingPolicy _drawn = null!;
    private SamplingPolicy _floorPolicy = null!;
    private HttpRequest _request = null!;
    private GatewayKey _key = null!;
    private CatalogModel _model = null!;
    private PromptSelection _stable = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = BenchmarkServices.Monitor<SamplingOptions>(o => o.PlainRate = 0.01);

        // Points on each side of 1%, and the gateway's own draw.
        _notSampled = new SamplingPolicy(options, new SampleFloorTracker(TimeProvider.System), SampleDraw.From(static () => 0.5), BenchmarkServices.Metrics);
        _sampled = new SamplingPolicy(options, new SampleFloorTracker(TimeProvider.System), SampleDraw.From(static () => 0.001), BenchmarkServices.Metrics);
        _drawn = new SamplingPolicy(options, new SampleFloorTracker(TimeProvider.System), SampleDraw.Random, BenchmarkServices.Metrics);

        // A floor of 5 an hour that is already met: every further unsampled request still asks the tracker.
        _floorPolicy = new SamplingPolicy(
            BenchmarkServices.Monitor<SamplingOptions>(o => o.FloorPerHour = 5), new SampleFloorTracker(TimeProvider.System), SampleDraw.From(static () => 0.5), BenchmarkServices.Metrics);

        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v1/chat/completions";
        context.Request.Headers.Authorization = "Bearer gwk_0123456789abcdef0123456789abcdef0123456789a";
        context.Request.Headers.ContentType = "application/json";
        context.Request.Headers.UserAgent = "OpenAI/Python 1.59.6";
        context.Request.Headers["X-Session-Id"] = "6f1c2a9e-3b7d-4e58-a0c4-d2b19f7e8a63";
        context.Request.Headers["X-Request-Id"] = "req_6f1c2a9e3b7d4e58a0c4d2b19f7e8a63";
        _request = context.Request;

        _key = new GatewayKey("key_7f3a9c2e41b8", "support-app", "production", ["chat"], DateTimeOffset.UnixEpoch);
        var provider = new Provider("openai", new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" });
        _model = new CatalogModel("gpt-4o-mini", provider, "gpt-4o-mini", "openai");
        var bundle = new PromptBundle { Id = "pb_support-bot_3", Name = Prompt, Version = 3, Author = "benchmarks", Model = "gpt-4o-mini", Messages = [] };
        _stable = new PromptSelection(new PreparedBundle(bundle, _model, [], []), Variants.Stable, "production");

        for (var i = 0; i < 5; i++)
        {
            _floorPolicy.Decide(_request, _key, _model, _stable);
        }

        if (_notSampled.Decide(_request, _key, _model, _stable).Sampled
            || _sampled.Decide(_request, _key, _model, _stable).Reason != SampleReasons.Rate
            || _notSampled.Decide(_request, _key, _model, null).Sampled
            || _sampled.Decide(_request, _key, _model, null).Reason != SampleReasons.Rate
            || _floorPolicy.Decide(_request, _key, _model, _stable).Sampled)
        {
            throw new InvalidOperationException("The decisions are not the ones the benchmarks name.");
        }
    }

    /// <summary>The common case: a stable-arm prompt request that misses the 1% rate, no floor configured.</summary>
    [Benchmark(Baseline = true)]
    public bool PromptNotSampled() => _notSampled.Decide(_request, _key, _model, _stable).Sampled;

    /// <summary>A stable-arm prompt request under the rate: counted towards the arm's floor and the taken-samples counter.</summary>
    [Benchmark]
    public bool PromptSampled() => _sampled.Decide(_request, _key, _model, _stable).Sampled;

    /// <summary>A stable-arm prompt request with the gateway's own draw: 1% take the sampled path, as in production.</summary>
    [Benchmark]
    public bool PromptAtRate() => _drawn.Decide(_request, _key, _model, _stable).Sampled;

    /// <summary>A plain-model request (no prompt) that misses the 1% plain rate: model and key rate look-ups, one draw.</summary>
    [Benchmark]
    public bool PlainNotSampled() => _notSampled.Decide(_request, _key, _model, null).Sampled;

    /// <summary>A prompt request that misses the rate with an hourly floor configured and already met this hour.</summary>
    [Benchmark]
    public bool PromptNotSampledFloorMet() => _floorPolicy.Decide(_request, _key, _model, _stable).Sampled;
}
