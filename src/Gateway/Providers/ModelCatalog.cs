using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace LlmGateway.Providers;

/// <summary>The providers and public model names, frozen at start-up for lock-free lookups.</summary>
internal sealed class ModelCatalog
{
    public const string PromptPrefix = "prompt:";

    private readonly FrozenDictionary<string, CatalogModel> _models;

    public ModelCatalog(IOptions<CatalogOptions> options)
        : this(options.Value)
    {
    }

    public ModelCatalog(CatalogOptions options)
    {
        Providers = options.Providers
            .Select(p => new Provider(p.Key, p.Value))
            .ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

        _models = options.Models
            .Select(m => new CatalogModel(m.Key, Providers[m.Value.Provider], string.IsNullOrWhiteSpace(m.Value.UpstreamModel) ? m.Key : m.Value.UpstreamModel, m.Value.OwnedBy, m.Value.Encoding, m.Value.Resilience, m.Value.MaxOutputTokens, m.Value.MaxInputTokens, m.Value.ImageInputTokens))
            .ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var (name, model) in options.Models)
        {
            // Validated at start-up: every fallback names another catalog model.
            _models[name].Fallbacks = [.. model.Fallbacks.Where(_models.ContainsKey).Select(f => _models[f])];
        }
        Models = [.. _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal)];
    }

    public FrozenDictionary<string, Provider> Providers { get; }

    /// <summary>All public models, sorted by name.</summary>
    public IReadOnlyList<CatalogModel> Models { get; }

    public bool TryGetModel(string name, out CatalogModel model) => _models.TryGetValue(name, out model!);
}
