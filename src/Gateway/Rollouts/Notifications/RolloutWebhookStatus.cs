namespace LlmGateway.Rollouts.Notifications;

/// <summary>One environment's webhook: whether its last notification failed, its last success and its last failure.</summary>
internal sealed record RolloutWebhookStatus(bool LastFailed, DateTimeOffset? LastDeliveredAt, RolloutWebhookFailure? LastFailure);
