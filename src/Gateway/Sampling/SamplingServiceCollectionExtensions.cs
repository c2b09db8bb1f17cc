using LlmGateway.Sampling.Redaction;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

internal static class SamplingServiceCollectionExtensions
{
    public static IServiceCollection AddGatewaySampling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SamplingOptions>()
            .Bind(configuration.GetSection(SamplingOptions.SectionName))
            .Validate(o => RatesAreFractions(o.Models) && RatesAreFractions(o.Keys), "Gateway:Sampling:Models and :Keys rates must be from 0 to 1.")
            .Validate(
                o => o.MaxQueuedBytes >= SampleCapture.Largest(o),
                "Gateway:Sampling:MaxQueuedBytes must hold at least one full capture (2 × MaxBodyCaptureBytes + MaxCaptureBytes).")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SamplingOptions>, SamplingOptionsValidator>();
        services.AddSingleton<IValidateOptions<SamplingOptions>, RedactionPatternsValidator>();

        // The replacement text per kind; register another IRedactorProvider (e.g. AddRedaction with
        // an HMAC redactor) before the gateway's services to keep redacted values joinable.
        services.TryAddSingleton<IRedactorProvider, MarkerRedactorProvider>();
        services.AddSingleton<SampleRedactors>();
        services.AddSingleton<SampleFloorTracker>();
        // The gateway's own draw per request: clients cannot choose (or replay) a request that gets sampled.
        services.AddSingleton(SampleDraw.Random);
        services.AddSingleton<SamplingPolicy>();
        services.AddSingleton<SampleRecorder>();
        services.AddSingleton<RequestSampler>();
        services.AddSingleton<SampleBuilder>();
        services.AddSingleton<SampleStore>();
        services.AddHostedService<SampleWriter>();
        return services;
    }

    private static bool RatesAreFractions(Dictionary<string, double> rates) => rates.Values.All(r => r is >= 0 and <= 1);
}
