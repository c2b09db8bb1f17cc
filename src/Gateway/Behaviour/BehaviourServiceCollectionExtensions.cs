using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmGateway.Hosting;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Behaviour;

/// <summary>Online evaluation: the evaluator (scorers, judge gate, series writer), the change detector and their API.</summary>
internal static class BehaviourServiceCollectionExtensions
{
    /// <summary>
    /// Registers the evaluator's parts, and runs the evaluator and the detector in this process unless
    /// <c>Gateway:OnlineEval:Enabled</c> / <c>DetectChanges</c> are false (proxies beside a separate <c>Gateway.Evaluator</c>).
    /// </summary>
    /// <param name="evaluatorProcess">
    /// True in <c>Gateway.Evaluator</c>: the evaluator and detector always run, and the judge needs
    /// <c>Judge:BaseUrl</c> (its own address is not a gateway's).
    /// </param>
    public static IServiceCollection AddGatewayBehaviour(this IServiceCollection services, IConfiguration configuration, bool evaluatorProcess = false)
    {
        services.AddOptions<OnlineEvalOptions>()
            .Bind(configuration.GetSection(OnlineEvalOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.DetectionInterval >= TimeSpan.FromSeconds(1) && o.Judge.Timeout > TimeSpan.Zero && o.Judge.Timeout <= TimeSpan.FromMinutes(10),
                "Gateway:OnlineEval: PollInterval must be positive, Judge:Timeout from 0 to 10 minutes (exclusive of 0), DetectionInterval at least 1 s.")
            .Validate(o => o.Judge.BaseUrl is null || (o.Judge.BaseUrl.IsAbsoluteUri && o.Judge.BaseUrl.Scheme is "http" or "https"),
                "Gateway:OnlineEval:Judge:BaseUrl must be an absolute http(s) URL (the gateway the judge calls go through).")
            .ValidateOnStart();
        services.AddSingleton(ScorerRegistry.CreateDefault());
        services.AddSingleton<SampleScorer>();
        services.AddSingleton<OnlineEvalPlans>();
        // From the release snapshot in a gateway; a separate evaluator, which holds none, reads the release.
        services.AddSingleton<JudgeBudgets>();
        services.AddSingleton<BehaviourStore>();
        services.AddSingleton<ScoredThrough>();
        services.AddSingleton<BehaviourChangeStore>();
        services.AddSingleton<BehaviourQuery>();
        services.AddSingleton<BehaviourMetrics>();
        if (evaluatorProcess)
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<JudgeGate>(sp, new JudgeAddress(null)));
            // Apart from the gateways there is no pipeline to call in process: a key without an address judged nothing,
            // and said only that the key was missing.
            services.AddOptions<OnlineEvalOptions>()
                .Validate(
                    o => string.IsNullOrEmpty(o.Judge.ApiKey) || o.Judge.BaseUrl is not null,
                    "Gateway:OnlineEval:Judge:ApiKey is set but Gateway:OnlineEval:Judge:BaseUrl is not: the separate evaluator calls its judge through a gateway's URL, and without one it never judges.")
                .ValidateOnStart();
        }
        else
        {
            services.TryAddSingleton<InProcessApplication>(); // GatewayApp wraps the server that feeds it
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<JudgeGate>(sp, new JudgeAddress(sp.GetRequiredService<InProcessApplication>())));
        }

        services.AddSingleton<OnlineEvaluator>();
        services.AddSingleton<BehaviourChangeDetector>();
        // Whether they run is read from the options when the host starts, not here: configuration added after
        // registration (a host's own settings) must still be able to turn them off.
        services.AddHostedService<OnlineEvaluatorService>();
        services.AddHostedService<BehaviourChangeService>();
        if (evaluatorProcess)
        {
            services.PostConfigure<OnlineEvalOptions>(o => o.Enabled = true);
        }

        return services;
    }
}
