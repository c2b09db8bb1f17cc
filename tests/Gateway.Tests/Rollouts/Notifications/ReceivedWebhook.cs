namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its body, signature and content type, and the status it answered.</summary>
internal sealed record ReceivedWebhook(byte[] Body, string? Signature, string? ContentType, string PathAndQuery, int AnsweredStatus);
