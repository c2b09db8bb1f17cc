namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its body, signature, delivery id and content type, and the status it answered.</summary>
internal sealed record ReceivedWebhook(byte[] Body, string? Signature, string? ContentType, string PathAndQuery, int AnsweredStatus, string? Delivery = null)
{
    /// <summary>The body's <c>id</c>.</summary>
    public string Id => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("id").GetString()!;
}
