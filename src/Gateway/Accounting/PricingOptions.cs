namespace LlmGateway.Accounting;

/// <summary>Model prices per million tokens, from <c>config/pricing.json</c> (<c>Gateway:Pricing</c>).</summary>
internal sealed class PricingOptions
{
    public const string SectionName = "Gateway:Pricing";

    public string Currency { get; set; } = "USD";

    /// <summary>
    /// What a request with <c>"service_tier": "priority"</c> costs against the standard price: reserved at this multiple
    /// (OpenAI's priority processing is about 1.7–2× standard), and billed at it when the response says it was served at
    /// priority (or names no tier); one the provider served at another tier is billed at that tier. From 1 to 10.
    /// </summary>
    public decimal PriorityTierFactor { get; set; } = 2m;

    /// <summary>
    /// What one call of a tool the provider runs itself costs, beside the tokens, by tool: <c>web_search</c>,
    /// <c>file_search</c>, <c>code_interpreter</c> (a container session, counted per call: an upper bound),
    /// <c>image_generation</c>. A call of a tool without a price here makes its request's cost unknown, as a model
    /// without a price does; MCP calls cost only tokens.
    /// </summary>
    public Dictionary<string, decimal> ToolCalls { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Upstream model name → its prices over time.</summary>
    public Dictionary<string, List<ModelPrice>> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
