namespace LlmGateway.Rollouts.Notifications;

/// <summary><c>Gateway:Rollouts:Webhooks</c>: one webhook per environment, keyed by the environment's name.</summary>
internal sealed class RolloutWebhooksOptions
{
    public const string SectionName = "Gateway:Rollouts:Webhooks";

    public Dictionary<string, RolloutWebhookOptions> Environments { get; } = new(StringComparer.OrdinalIgnoreCase);
}
