using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Providers;

/// <summary>Ready when at least one model is routable and every provider that needs a key has one.</summary>
internal sealed class ProviderCatalogHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (catalog.Models.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("No models are configured in Gateway:Models."));
        }

        var keyless = catalog.Providers.Values
            .Where(p => p.RequiresApiKey && !p.HasApiKey && catalog.Models.Any(m => m.Provider == p))
            .Select(p => p.Name)
            .ToList();

        if (keyless.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Providers without an API key: {string.Join(", ", keyless)}. Set Gateway:Providers:<name>:ApiKey or its ApiKeyEnvironmentVariable."));
        }

        // A deployment whose own key was not found is sent none (never the provider's): its every call would fail.
        var deploymentsKeyless = catalog.Providers.Values
            .Where(p => catalog.Models.Any(m => m.Provider == p))
            .SelectMany(p => p.EndpointsWithoutTheirKey.Select(i => string.Create(CultureInfo.InvariantCulture, $"Gateway:Providers:{p.Name}:Endpoints:{i}")))
            .ToList();

        return Task.FromResult(deploymentsKeyless.Count == 0
            ? HealthCheckResult.Healthy($"{catalog.Models.Count} models on {catalog.Providers.Count} providers.")
            : HealthCheckResult.Unhealthy($"Deployments whose own API key is not set: {string.Join(", ", deploymentsKeyless)}. Set its ApiKey, or the variable its ApiKeyEnvironmentVariable names (or remove both to use the provider's key)."));
    }
}
