using Microsoft.Extensions.Options;

namespace LlmGateway.Accounting;

/// <summary>Refuses negative prices, two prices of one model from the same instant, and a priority factor out of range.</summary>
internal sealed class PricingOptionsValidator : IValidateOptions<PricingOptions>
{
    public ValidateOptionsResult Validate(string? name, PricingOptions options)
    {
        var failures = new List<string>();
        if (options.PriorityTierFactor is < 1m or > 10m)
        {
            failures.Add($"{PricingOptions.SectionName}:PriorityTierFactor must be from 1 to 10, got {options.PriorityTierFactor}.");
        }

        foreach (var (tool, price) in options.ToolCalls)
        {
            if (price is < 0m or > 100m)
            {
                failures.Add($"{PricingOptions.SectionName}:ToolCalls:{tool} must be from 0 to 100 (USD per call), got {price}.");
            }
        }

        foreach (var (model, prices) in options.Models)
        {
            var path = $"{PricingOptions.SectionName}:Models:{model}";
            if (prices.Any(p => p.InputPerMillion < 0 || p.OutputPerMillion < 0 || p.CachedInputPerMillion < 0))
            {
                failures.Add($"{path}: prices cannot be negative.");
            }

            if (prices.GroupBy(p => p.EffectiveFrom).Any(g => g.Count() > 1))
            {
                failures.Add($"{path}: two prices take effect at the same instant.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
