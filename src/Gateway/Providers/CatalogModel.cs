using System.Text.Json;

namespace LlmGateway.Providers;

/// <summary>A public model name and where it goes.</summary>
internal sealed class CatalogModel
{
    public CatalogModel(string name, Provider provider, string upstreamModel, string? ownedBy, string? encoding = null, Resilience.ResilienceSettings? resilience = null, int? maxOutputTokens = null, int? maxInputTokens = null, int? imageInputTokens = null)
    {
        MaxOutputTokens = maxOutputTokens ?? OutputLimits.For(upstreamModel);
        MaxOutputTokensConfigured = maxOutputTokens is not null;
        MaxInputTokens = maxInputTokens ?? InputLimits.For(upstreamModel);
        ImageInputTokens = imageInputTokens ?? Accounting.PromptTokenEstimate.ImageTokensBoundFor(upstreamModel);
        Resilience = resilience is null && provider.ResilienceSettings is null
            ? provider.Policy
            : LlmGateway.Resilience.ResiliencePolicy.Resolve(resilience, provider.ResilienceSettings, (int)provider.Timeout.TotalSeconds);
        Encoding = Accounting.TokenizerRegistry.EncodingFor(upstreamModel, encoding);
        Name = name;
        Provider = provider;
        UpstreamModel = upstreamModel;
        OwnedBy = ownedBy ?? provider.Name;
        NeedsRename = !string.Equals(name, upstreamModel, StringComparison.Ordinal);

        // Encoded once so the hot path splices bytes instead of escaping strings per request.
        UpstreamModelJson = JsonSerializer.SerializeToUtf8Bytes(upstreamModel, Serialization.GatewayJsonContext.Default.String);
    }

    public string Name { get; }

    /// <summary>The most output tokens one choice may ask for; a request without <c>max_tokens</c> reserves this much.</summary>
    public int MaxOutputTokens { get; }

    /// <summary>
    /// <see cref="MaxOutputTokens"/> was set for this model, not taken from a model family's default: only then is it
    /// known to be something the model's server accepts as a cap (<c>Budgets.OutputCap</c>).
    /// </summary>
    public bool MaxOutputTokensConfigured { get; }

    /// <summary>The model's context window: what a request continuing the provider's stored conversation may make it read.</summary>
    public int MaxInputTokens { get; }

    /// <summary>The most tokens the model counts for one input image: what a spend limit reserves per image.</summary>
    public int ImageInputTokens { get; }

    public Provider Provider { get; }

    public string UpstreamModel { get; }

    public string OwnedBy { get; }

    /// <summary>The tokenizer encoding used when the provider reports no usage.</summary>
    public string Encoding { get; }

    /// <summary>True when the body's <c>model</c> must be rewritten before forwarding.</summary>
    public bool NeedsRename { get; }

    /// <summary>The upstream model as a JSON string token, quotes included.</summary>
    public ReadOnlyMemory<byte> UpstreamModelJson { get; }

    /// <summary>Timeouts and retries for this model (its own settings over its provider's).</summary>
    public Resilience.ResiliencePolicy Resilience { get; }

    /// <summary>Catalog models to try, in order, when this one cannot serve. Set once by the catalog.</summary>
    private CatalogModel[]? _withFallbacks;
    private CatalogModel[]? _sameModelOnly;

    public IReadOnlyList<CatalogModel> Fallbacks { get; internal set; } = [];

    /// <summary>A fallback that serves the same upstream model (another deployment), not a different model.</summary>
    /// <summary>The models a request may be served by, in order: this one, then its fallbacks (built once, on first use).</summary>
    public IReadOnlyList<CatalogModel> Candidates(bool allowOtherModels)
    {
        if (allowOtherModels)
        {
            return _withFallbacks ??= [this, .. Fallbacks];
        }

        return _sameModelOnly ??= [this, .. Fallbacks.Where(IsSameModelAs)];
    }

    public bool IsSameModelAs(CatalogModel other) => string.Equals(UpstreamModel, other.UpstreamModel, StringComparison.Ordinal);
}
