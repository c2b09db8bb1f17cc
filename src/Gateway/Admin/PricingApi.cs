using System.Globalization;
using LlmGateway.Accounting;
using LlmGateway.Audit;
using LlmGateway.Serialization;

namespace LlmGateway.Admin;

/// <summary><c>/admin/v1/pricing</c>: the prices in force, and dated price changes at runtime (audited).</summary>
internal static class PricingApi
{
    private const int MaxModelLength = 200;
    private const decimal MaxPerMillion = 1_000_000m;

    public static RouteGroupBuilder MapPricingApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/pricing", (PricingTable pricing) =>
                Results.Json(pricing.All.ToDictionary(p => p.Key, p => p.Value), GatewayJsonContext.Default.DictionaryStringModelPriceArray))
            .WithTags("Pricing").WithName("ShowPricing").WithSummary("Every model's prices over time (configured and runtime).");
        // A catch-all: provider model ids hold '/' ("meta-llama/Llama-3.1-8B-Instruct"), sent raw or escaped.
        admin.MapPut("/pricing/{**model}", SetAsync)
            .Accepts<PriceRequest>("application/json")
            .WithMetadata(new RequiresAdminRoleAttribute(AdminRoles.Operator))
            .WithTags("Pricing").WithName("SetPrice").WithSummary("Add a price for a model from an instant (default: now); earlier requests keep their price.");
        return admin;
    }

    private static async Task<IResult> SetAsync(string? model, HttpContext http, PriceOverrides overrides, TimeProvider time)
    {
        // The server decodes every escape in a path but %2F (so it cannot split a segment), and routing keeps it: a name
        // sent as one escaped segment ("org%2Fmodel", as clients send a path value) is the model "org/model".
        model = model?.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(model) || model.StartsWith('/') || model.EndsWith('/'))
        {
            return AdminResults.Invalid("A model name is required after /pricing/, without a leading or trailing '/'.", "model");
        }

        var (request, error) = await AdminRequestBody.ReadAsync(http.Request, AdminInputJsonContext.Default.PriceRequest, new PriceRequest(null, null, null, null));
        if (error is not null)
        {
            return error;
        }

        if (model.Length > MaxModelLength || model.Any(char.IsControl))
        {
            return AdminResults.Invalid($"A model name of at most {MaxModelLength} characters, without control characters.", "model");
        }

        foreach (var (field, value) in new[] { ("input_per_million", request!.InputPerMillion), ("output_per_million", request.OutputPerMillion), ("cached_input_per_million", request.CachedInputPerMillion),
            ("audio_input_per_million", request.AudioInputPerMillion), ("audio_output_per_million", request.AudioOutputPerMillion) })
        {
            if (value is < 0 or > MaxPerMillion)
            {
                // The bound keeps every request's cost (tokens × price) far from decimal's range.
                return AdminResults.Invalid($"Prices are from 0 to {MaxPerMillion} per million tokens.", field);
            }
        }

        if (request.InputPerMillion is not { } input || request.OutputPerMillion is not { } output)
        {
            return AdminResults.Invalid(
                "Both 'input_per_million' and 'output_per_million' are required (0 is a price, and must be said).",
                request.InputPerMillion is null ? "input_per_million" : "output_per_million");
        }

        var price = new ModelPrice
        {
            EffectiveFrom = request.EffectiveFrom ?? time.GetUtcNow(),
            InputPerMillion = input,
            CachedInputPerMillion = request.CachedInputPerMillion,
            OutputPerMillion = output,
            AudioInputPerMillion = request.AudioInputPerMillion,
            AudioOutputPerMillion = request.AudioOutputPerMillion,
        };

        if (!await overrides.AddAsync(model, price))
        {
            return AdminResults.Error(StatusCodes.Status409Conflict, "invalid_request_error", "concurrent_update", "The model's prices kept changing under this request; send it again.", "model");
        }

        // Prices decide every bill and budget, and the stored price names no author: the audit entry says what was set.
        AuditDetail.Set(http, string.Create(CultureInfo.InvariantCulture,
            $"model={model} from={price.EffectiveFrom:O} input={price.InputPerMillion} cached_input={Text(price.CachedInputPerMillion)} output={price.OutputPerMillion} audio_input={Text(price.AudioInputPerMillion)} audio_output={Text(price.AudioOutputPerMillion)}"));
        return Results.Json(price, GatewayJsonContext.Default.ModelPrice);
    }

    private static string Text(decimal? price) => price?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
