using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmGateway.Health;

/// <summary>
/// Logs each readiness check when its status changes, from the periodic health publisher (every 30 s), instead of the
/// framework's line per <c>/readyz</c> call at Warning or Error, which anyone may call in a loop (that category is off by
/// default: <see cref="HealthEndpoints.FrameworkLogCategory"/>). A check's first reading is logged only if it is not healthy.
/// </summary>
internal sealed class ReadinessChangeLogger(ILogger<ReadinessChangeLogger> logger) : IHealthCheckPublisher
{
    private readonly ConcurrentDictionary<string, HealthStatus> _last = new(StringComparer.Ordinal);

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var (name, entry) in report.Entries)
        {
            var known = _last.TryGetValue(name, out var before);
            if (known && before == entry.Status)
            {
                continue;
            }

            _last[name] = entry.Status;
            if (entry.Status != HealthStatus.Healthy)
            {
                HealthLog.NotHealthy(logger, name, entry.Status, entry.Description ?? entry.Exception?.GetType().Name);
            }
            else if (known)
            {
                HealthLog.HealthyAgain(logger, name);
            }
        }

        return Task.CompletedTask;
    }
}
