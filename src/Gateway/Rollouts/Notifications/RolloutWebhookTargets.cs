using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>The environments with a webhook (read once, when first needed: the host validates the options at start).</summary>
internal sealed class RolloutWebhookTargets
{
    private readonly FrozenDictionary<string, RolloutWebhookTarget> _byEnvironment;

    public RolloutWebhookTargets(IOptions<RolloutWebhooksOptions> options, TimeProvider time, ILogger<RolloutWebhookTargets> logger)
    {
        _byEnvironment = options.Value.Environments
            .Where(e => !string.IsNullOrWhiteSpace(e.Value.Url))
            .ToFrozenDictionary(e => e.Key, e => new RolloutWebhookTarget(e.Key, e.Value, time, logger), StringComparer.OrdinalIgnoreCase);
        All = [.. _byEnvironment.Values.OrderBy(t => t.Environment, StringComparer.Ordinal)];
        Summary = string.Join(", ", All.Select(t => $"{t.Environment} ({t.Host})"));
    }

    public IReadOnlyList<RolloutWebhookTarget> All { get; }

    /// <summary>For logs: each environment with its webhook's host.</summary>
    public string Summary { get; }

    public bool TryGet(string environment, [MaybeNullWhen(false)] out RolloutWebhookTarget target) =>
        _byEnvironment.TryGetValue(environment, out target);
}
