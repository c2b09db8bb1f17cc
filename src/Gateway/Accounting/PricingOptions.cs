namespace LlmGateway.Accounting;

/// <summary>Model prices per million tokens, from <c>config/pricing.json</c> (<c>Gateway:Pricing</c>).</summary>
internal sealed class PricingOptions
{
    public const string SectionName = "Gateway:Pricing";

    public string Currency { get; set; } = "USD";

    /// <summary>Upstream model name → its prices over time.</summary>
    public Dictionary<string, List<ModelPrice>> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
