using System.Text.Json.Serialization;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>Source-generated JSON for the rollout webhooks' bodies and their last outcomes in the store.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RolloutWebhookPayload))]
[JsonSerializable(typeof(RolloutWebhookStatus))]
internal sealed partial class RolloutNotificationsJsonContext : JsonSerializerContext;
