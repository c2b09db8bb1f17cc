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
                // Values are never quoted here: a secret set in the wrong variable would reach the start-up log.
                failures.Add($"Gateway:Providers:{providerName}:Kind is not one of openai, azure-openai, openai-compatible.");
            }

            if (!Uri.TryCreate(provider.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Gateway:Providers:{providerName}:BaseUrl is not an absolute http(s) URL.");
            }
            else if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                // The request's path is joined to the base's: a query there would be lost (and split the path from it).
                failures.Add($"Gateway:Providers:{providerName}:BaseUrl must not carry a query or fragment (Azure's api-version goes in ApiVersion).");
            }

            if (kind == ProviderKind.AzureOpenAI && string.IsNullOrWhiteSpace(provider.ApiVersion))
            {
                failures.Add($"Gateway:Providers:{providerName}:ApiVersion is required for azure-openai.");
            }

            if (provider.LoadBalancing is not ("PowerOfTwoChoices" or "RoundRobin" or "LeastRequests" or "Random" or "FirstAlphabetical"))
            {
                failures.Add($"Gateway:Providers:{providerName}:LoadBalancing '{provider.LoadBalancing}' is not PowerOfTwoChoices, RoundRobin, LeastRequests, Random or FirstAlphabetical.");
            }

            if (provider.Resilience is { } resilience)
            {
                ValidateResilience(resilience, $"Gateway:Providers:{providerName}:Resilience", failures);
            }

            ValidateHeaders(provider.ForwardRequestHeaders, ProviderHeaders.NeverForwarded, $"Gateway:Providers:{providerName}:ForwardRequestHeaders", failures);
            ValidateHeaders(provider.ReturnResponseHeaders, ProviderHeaders.NeverReturned, $"Gateway:Providers:{providerName}:ReturnResponseHeaders", failures);

            // Deployments are told apart by host (their keys are found by it): two on one host cannot both be reached.
            var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (uri is not null)
            {
                hosts.Add(uri.GetLeftPart(UriPartial.Authority));
            }

            for (var i = 0; i < provider.Endpoints.Count; i++)
            {
                var endpoint = provider.Endpoints[i];
                if (!Uri.TryCreate(endpoint.BaseUrl, UriKind.Absolute, out var endpointUri) || (endpointUri.Scheme != Uri.UriSchemeHttp && endpointUri.Scheme != Uri.UriSchemeHttps))
                {
                    failures.Add($"Gateway:Providers:{providerName}:Endpoints:{i}:BaseUrl is not an absolute http(s) URL.");
                }
                else if (uri is not null && endpointUri.AbsolutePath.TrimEnd('/') != uri.AbsolutePath.TrimEnd('/'))
                {
                    // The path is built once per provider; deployments differ by host only.
                    failures.Add($"Gateway:Providers:{providerName}:Endpoints:{i}:BaseUrl must have the same path as BaseUrl ('{uri.AbsolutePath}').");
                }
                else if (endpointUri.Query.Length > 0 || endpointUri.Fragment.Length > 0)
                {
                    failures.Add($"Gateway:Providers:{providerName}:Endpoints:{i}:BaseUrl must not carry a query or fragment.");
                }
                else if (!hosts.Add(endpointUri.GetLeftPart(UriPartial.Authority)))
                {
                    failures.Add($"Gateway:Providers:{providerName}:Endpoints:{i}:BaseUrl is on the same host and port as another of the provider's deployments: deployments differ by host.");
                }
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

            if (model.Resilience is { } resilience)
            {
                ValidateResilience(resilience, $"Gateway:Models:{modelName}:Resilience", failures);
                if (resilience.ConnectTimeoutMs is not null)
                {
                    // One connection pool per provider, shared by its models: a model's own connect timeout could not apply.
                    failures.Add($"Gateway:Models:{modelName}:Resilience:ConnectTimeoutMs cannot be set per model: connections are the provider's, shared by all its models. Set it under Gateway:Providers:<name>:Resilience.");
                }
            }

            foreach (var fallback in model.Fallbacks)
            {
                if (fallback == modelName || !options.Models.ContainsKey(fallback))
                {
                    failures.Add($"Gateway:Models:{modelName}:Fallbacks: '{fallback}' is not another catalog model.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateResilience(Resilience.ResilienceSettings settings, string path, List<string> failures)
    {
        ValidateAnnotations(settings, path, failures);
        if (settings.RetryStatuses?.Any(s => s is < 400 or > 599) == true)
        {
            failures.Add($"{path}:RetryStatuses must be HTTP error statuses (400-599).");
        }

        if (settings.RetryStatuses?.Any(s => s is 400 or 401 or 403 or 404 or 422) == true)
        {
            // Retrying a request the provider rejected as wrong only repeats the rejection (and bills it).
            failures.Add($"{path}:RetryStatuses must not include client errors such as 400, 401, 403, 404 or 422.");
        }
    }

    /// <summary>Each entry is a header name, or a prefix ending in <c>*</c>, that covers no header the gateway never lets through.</summary>
    private static void ValidateHeaders(List<string> entries, string[] never, string path, List<string> failures)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? "";
            var name = entry.EndsWith('*') ? entry[..^1] : entry;
            if (name.Length == 0 || !name.All(IsTokenChar))
            {
                failures.Add($"{path}:{i} '{entry}' is not a header name, or a header-name prefix ending in '*'.");
            }
            else if (HeaderAllowList.Covers(entry, never))
            {
                failures.Add($"{path}:{i} '{entry}' names or covers a header the gateway never lets through ({string.Join(", ", never)}).");
            }
        }
    }

    // RFC 9110 token characters (a header name is one token), without '*', which only ends a prefix.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static void ValidateAnnotations(object instance, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{path}: {r.ErrorMessage}"));
        }
    }
}
