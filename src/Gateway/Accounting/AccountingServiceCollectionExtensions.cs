using Microsoft.Extensions.Options;

namespace LlmGateway.Accounting;

internal static class AccountingServiceCollectionExtensions
{
    /// <summary>Prices, validated at start-up so a broken pricing file stops the gateway rather than mis-bills.</summary>
    public static IServiceCollection AddGatewayAccounting(this IServiceCollection services, IConfiguration configuration)
    {
        // A misspelt field would bind as nothing, a price of 0: refused, as is an entry without both prices.
        services.AddOptions<PricingOptions>().Bind(configuration.GetSection(PricingOptions.SectionName), o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PricingOptions>>(_ => new PricingOptionsValidator(configuration.GetSection(PricingOptions.SectionName)));
        services.AddSingleton<PricingTable>();

        // Created once, when the container builds it at start-up, not on a request.
        services.AddSingleton<TokenizerRegistry>();
        services.AddSingleton<UsageAccountant>();
        services.AddOptions<Budgets.BudgetOptions>().Bind(configuration.GetSection(Budgets.BudgetOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Budgets.BudgetGuard>();
        services.AddHostedService<Budgets.BudgetReconciler>();
        services.AddSingleton<PriceOverrides>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceOverrides>());
        return services;
    }
}
