namespace LlmGateway.Rollouts.Notifications;

/// <summary>One queued notification: the serialized body, and what it is about (for logs).</summary>
internal sealed record RolloutWebhookMessage(string Prompt, string Decision, byte[] Body);
