using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmGateway.Telemetry;

namespace LlmGateway.Rollouts.Notifications;

/// <summary><c>gateway.rollouts.notifications</c>: rollout webhooks by environment and outcome (delivered, failed, dropped, not_queued).</summary>
internal sealed class RolloutWebhookMetrics
{
    public const string InstrumentName = "gateway.rollouts.notifications";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string Dropped = "dropped";
    public const string NotQueued = "not_queued";

    private readonly Counter<long> _notifications;

    public RolloutWebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GatewayTelemetry.Name);
        _notifications = meter.CreateCounter<long>(InstrumentName,
            description: "Rollout decision webhooks by outcome: delivered, failed (after every attempt), dropped (the environment's outbox was full, or held an entry that is not a notification), not_queued (the store did not take it).");
    }

    public void Record(string environment, string outcome) =>
        _notifications.Add(1, new TagList { { "environment", environment }, { "outcome", outcome } });
}
