namespace LlmGateway.Accounting;

/// <summary>Model prices per million tokens, from <c>config/pricing.json</c> (<c>Gateway:Pricing</c>).</summary>
internal sealed class PricingOptions
{
    public const string SectionName = "Gateway:Pricing";

    public string Currency { get; set; } = "USD";

    /// <summary>
    /// What a request with <c>"service_tier": "priority"</c> costs against the standard price: reserved and billed at
    /// this multiple (OpenAI's priority processing is about 1.7–2× standard; a request the provider serves at another
    /// tier is still billed at this one, since the gateway prices what was asked for). From 1 to 10.
    /// </summary>
    public decimal PriorityTierFactor { get; set; } = 2m;

    /// <summary>Upstream model name → its prices over time.</summary>
    public Dictionary<string, List<ModelPrice>> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
