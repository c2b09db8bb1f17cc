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
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.DetectionInterval >= TimeSpan.FromSeconds(1) && o.Judge.Timeout > TimeSpan.Zero,
                "Gateway:OnlineEval: PollInterval and Judge:Timeout must be positive, DetectionInterval at least 1 s.")
            .ValidateOnStart();
        services.AddSingleton(ScorerRegistry.CreateDefault());
        services.AddSingleton<SampleScorer>();
        services.AddSingleton<OnlineEvalPlans>();
        services.AddSingleton<BehaviourStore>();
        services.AddSingleton<BehaviourChangeStore>();
        services.AddSingleton<BehaviourQuery>();
        services.AddSingleton<BehaviourMetrics>();
        if (evaluatorProcess)
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<JudgeGate>(sp, new JudgeAddress(null)));
        }
        else
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<JudgeGate>(sp, new JudgeAddress(sp.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>())));
        }

        services.AddSingleton<OnlineEvaluator>();
        services.AddSingleton<BehaviourChangeDetector>();
        var section = configuration.GetSection(OnlineEvalOptions.SectionName);
        if (evaluatorProcess || section.GetValue(nameof(OnlineEvalOptions.Enabled), true))
        {
            services.AddHostedService<OnlineEvaluatorService>();
        }

        if (evaluatorProcess || section.GetValue(nameof(OnlineEvalOptions.DetectChanges), true))
        {
            services.AddHostedService<BehaviourChangeService>();
        }

        return services;
    }
}
