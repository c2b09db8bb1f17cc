using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmGateway.Telemetry;

namespace LlmGateway.Rollouts.Notifications;

/// <summary><c>gateway.rollouts.notifications</c>: rollout webhooks by environment and outcome (delivered, failed, dropped).</summary>
internal sealed class RolloutWebhookMetrics
{
    public const string InstrumentName = "gateway.rollouts.notifications";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Dropped = "dropped";

    private readonly Counter<long> _notifications;

    public RolloutWebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GatewayTelemetry.Name);
        _notifications = meter.CreateCounter<long>(InstrumentName,
            description: "Rollout decision webhooks by outcome: delivered, failed (after every attempt), dropped (the environment's queue was full).");
    }

    public void Record(string environment, string outcome) =>
        _notifications.Add(1, new TagList { { "environment", environment }, { "outcome", outcome } });
}
