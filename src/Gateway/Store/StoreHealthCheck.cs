using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Store;

/// <summary>Ready when a PING round-trips to the store.</summary>
internal sealed class StoreHealthCheck(GatewayStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var kind = store.IsEmbedded ? "embedded Garnet" : "Redis";
        try
        {
            var latency = await store.Database.PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{kind} answered PING in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"{kind} is unreachable: {ex.GetType().Name}.");
        }
    }
}
