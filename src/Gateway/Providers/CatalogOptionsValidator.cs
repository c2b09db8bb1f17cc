using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace LlmGateway.Providers;

/// <summary>
/// Rejects a catalog that cannot route at start-up, rather than on the first request:
/// unknown kinds, bad URLs, models that name a missing provider.
/// </summary>
internal sealed class CatalogOptionsValidator : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        var failures = new List<string>();
        foreach (var (providerName, provider) in options.Providers)
        {
            ValidateAnnotations(provider, $"Gateway:Providers:{providerName}", failures);
            if (!ProviderKindNames.TryParse(provider.Kind, out var kind))
            {
                failures.Add($"Gateway:Providers:{providerName}:Kind '{provider.Kind}' is not one of openai, azure-openai, openai-compatible.");
            }

            if (!Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Gateway:Providers:{providerName}:BaseUrl '{provider.BaseUrl}' is not an absolute http(s) URL.");
            }

            if (kind == ProviderKind.AzureOpenAI && string.IsNullOrWhiteSpace(provider.ApiVersion))
            {
                failures.Add($"Gateway:Providers:{providerName}:ApiVersion is required for azure-openai.");
            }
        }

        foreach (var (modelName, model) in options.Models)
        {
            ValidateAnnotations(model, $"Gateway:Models:{modelName}", failures);
            if (modelName.StartsWith(ModelCatalog.PromptPrefix, StringComparison.Ordinal))
            {
                failures.Add($"Gateway:Models:{modelName}: names starting with '{ModelCatalog.PromptPrefix}' are reserved for prompt addressing.");
            }

            if (model.Encoding is not null && model.Encoding is not (Accounting.TokenizerRegistry.O200k or Accounting.TokenizerRegistry.Cl100k))
            {
                failures.Add($"Gateway:Models:{modelName}:Encoding '{model.Encoding}' is not o200k_base or cl100k_base.");
            }

            if (!string.IsNullOrEmpty(model.Provider) && !options.Providers.ContainsKey(model.Provider))
            {
                failures.Add($"Gateway:Models:{modelName}:Provider '{model.Provider}' is not a configured provider.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateAnnotations(object instance, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{path}: {r.ErrorMessage}"));
        }
    }
}
