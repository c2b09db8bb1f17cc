namespace LlmGateway.Admin;

internal static class AdminApi
{
    public const string DocumentName = "admin";

    public static IServiceCollection AddGatewayAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName));
        services.AddSingleton<AdminAuthorizationFilter>();
        services.AddOpenApi(DocumentName, options => options.ShouldInclude = description => description.GroupName == DocumentName);
        return services;
    }

    /// <summary>The control plane lives under <c>/admin/v1</c>; its OpenAPI document at <c>/openapi/admin.json</c>.</summary>
    public static IEndpointRouteBuilder MapGatewayAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        var admin = endpoints.MapGroup("/admin/v1")
            .WithGroupName(DocumentName)
            .AddEndpointFilter<AdminAuthorizationFilter>();
        admin.MapAdminKeysApi();
        return endpoints;
    }
}
