using System.Text.Json.Serialization;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>Source-generated JSON for the rollout webhooks' bodies.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RolloutWebhookPayload))]
internal sealed partial class RolloutNotificationsJsonContext : JsonSerializerContext;
