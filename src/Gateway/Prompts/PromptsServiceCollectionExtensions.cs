namespace LlmGateway.Prompts;

internal static class PromptsServiceCollectionExtensions
{
    /// <summary>The prompt registry: bundle validation (Fluid parse + free-variable analysis) and push/approve.</summary>
    public static IServiceCollection AddGatewayPrompts(this IServiceCollection services)
    {
        services.AddOptions<PromptLimitsOptions>()
            .BindConfiguration(PromptLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<PromptTemplateAnalyzer>();
        services.AddSingleton<PromptBundleValidator>();
        services.AddSingleton<PromptRegistry>();
        return services;
    }
}
