namespace LlmGateway.EvalRuns;

internal static class EvalRunsServiceCollectionExtensions
{
    /// <summary>Stored evaluation runs, which the admin API writes and the release gate reads.</summary>
    public static IServiceCollection AddGatewayEvalRuns(this IServiceCollection services)
    {
        services.AddSingleton<EvalRunStore>();
        return services;
    }
}
