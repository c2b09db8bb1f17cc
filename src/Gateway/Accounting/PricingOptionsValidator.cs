using Microsoft.Extensions.Options;

namespace LlmGateway.Accounting;

/// <summary>
/// Refuses negative prices, two prices of one model from the same instant, a priority factor out of range, and (from the
/// configuration the options were bound from) a price entry that does not set both its input and output price: an
/// unset price binds as 0, and a model priced at nothing escapes every spend limit.
/// </summary>
internal sealed class PricingOptionsValidator(IConfigurationSection? configured = null) : IValidateOptions<PricingOptions>
{
    public ValidateOptionsResult Validate(string? name, PricingOptions options)
    {
        var failures = new List<string>();
        foreach (var model in configured?.GetSection("Models").GetChildren() ?? [])
        {
            foreach (var entry in model.GetChildren())
            {
                // A model id with ':' (ft:gpt-4o-mini:org::id, llama3:8b) is split into sections by the configuration
                // binder: its entries are not where prices are, and read as a missing price here.
                if (!int.TryParse(entry.Key, System.Globalization.CultureInfo.InvariantCulture, out _) || entry["InputPerMillion"] is null || entry["OutputPerMillion"] is null)
                {
                    failures.Add($"{PricingOptions.SectionName}:Models:{model.Key}:{entry.Key}: an entry needs EffectiveFrom, InputPerMillion and OutputPerMillion (a model id with ':' cannot be a configuration key; price it with PUT /admin/v1/pricing/{{model}}).");
                }
                else if (entry["EffectiveFrom"] is null)
                {
                    failures.Add($"{PricingOptions.SectionName}:Models:{model.Key}:{entry.Key}: an entry needs EffectiveFrom, InputPerMillion and OutputPerMillion.");
                }
            }
        }

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
            if (prices.Any(p => p.InputPerMillion < 0 || p.OutputPerMillion < 0 || p.CachedInputPerMillion < 0 || p.AudioInputPerMillion < 0 || p.AudioOutputPerMillion < 0))
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
