using LlmGateway.Behaviour;
using LlmGateway.Rollouts;
using LlmGateway.Audit;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace LlmGateway.Admin;

internal static class AdminApi
{
    public const string DocumentName = "admin";

    public static IServiceCollection AddGatewayAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminTokenRegistry>();
        services.AddSingleton<AdminAuthorizationFilter>();
        services.AddSingleton<AuditLog>();
        services.AddOpenApi(DocumentName, options => options.ShouldInclude = description => description.GroupName == DocumentName);
        return services;
    }

    /// <summary>
    /// The control plane under <c>/admin/v1</c>; its OpenAPI document at <c>/openapi/admin.json</c>
    /// and a browsable reference at <c>/admin/docs</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapGatewayAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        endpoints.MapScalarApiReference("/admin/docs", options => options
            .WithTitle("LLM Gateway admin API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument(DocumentName));

        var admin = endpoints.MapGroup("/admin/v1")
            .WithGroupName(DocumentName)
            .AddEndpointFilter<AdminAuthorizationFilter>();
        admin.MapPromptsApi();
        admin.MapEvalsApi();
        admin.MapReleasesApi();
        admin.MapHistoryApi();
        admin.MapInstanceApi();
        admin.MapUsageApi();
        admin.MapBehaviourApi();
        admin.MapRolloutsApi();
        admin.MapPricingApi();
        admin.MapSamplesApi();
        admin.MapAdminKeysApi();
        admin.MapAdminTokensApi();
        return endpoints;
    }
}
