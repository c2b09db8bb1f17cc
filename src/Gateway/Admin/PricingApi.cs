using LlmGateway.Accounting;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/pricing</c>: the prices in force, and dated price changes at runtime (audited).</summary>
internal static class PricingApi
{
    public static RouteGroupBuilder MapPricingApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/pricing", (PricingTable pricing) =>
                Results.Json(pricing.All.ToDictionary(p => p.Key, p => p.Value), GatewayJsonContext.Default.DictionaryStringModelPriceArray))
            .WithTags("Pricing").WithName("ShowPricing").WithSummary("Every model's prices over time (configured and runtime).");
        admin.MapPut("/pricing/{model}", SetAsync)
            .Accepts<ModelPrice>("application/json")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator))
            .WithTags("Pricing").WithName("SetPrice").WithSummary("Add a price for a model from an instant (default: now); earlier requests keep their price.");
        return admin;
    }

    private static async Task<IResult> SetAsync(string model, HttpContext http, PriceOverrides overrides, TimeProvider time)
    {
        var (price, error) = await AdminRequestBody.ReadAsync(http.Request, GatewayJsonContext.Default.ModelPrice, new ModelPrice());
        if (error is not null)
        {
            return error;
        }

        if (price!.InputPerMillion < 0 || price.OutputPerMillion < 0 || price.CachedInputPerMillion < 0)
        {
            return AdminResults.Invalid("Prices cannot be negative.", "input_per_million");
        }

        if (price.EffectiveFrom == default)
        {
            price.EffectiveFrom = time.GetUtcNow();
        }

        await overrides.AddAsync(model, price);
        return Results.Json(price, GatewayJsonContext.Default.ModelPrice);
    }
}
