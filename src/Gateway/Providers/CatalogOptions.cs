namespace LlmGateway.Providers;

/// <summary>The <c>Gateway</c> section's providers and model catalog.</summary>
internal sealed class CatalogOptions
{
    public const string SectionName = "Gateway";

    public Dictionary<string, ProviderOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, CatalogModelOptions> Models { get; set; } = new(StringComparer.Ordinal);
}
