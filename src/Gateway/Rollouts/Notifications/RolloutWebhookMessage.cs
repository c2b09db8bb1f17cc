using System.Text.Json;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>One notification as it waits in the outbox: its body (the payload's JSON, as posted) and, for logs, what it is about.</summary>
internal sealed record RolloutWebhookMessage(string Id, string Prompt, string Decision, byte[] Body)
{
    public static RolloutWebhookMessage For(RolloutWebhookPayload payload) =>
        new(payload.Id, payload.Prompt, payload.Decision, JsonSerializer.SerializeToUtf8Bytes(payload, RolloutNotificationsJsonContext.Default.RolloutWebhookPayload));

    /// <summary>Reads a notification back from the outbox; false when the bytes are not a payload (never written by a gateway).</summary>
    public static bool TryRead(byte[] body, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RolloutWebhookMessage? message)
    {
        message = null;
        try
        {
            if (JsonSerializer.Deserialize(body, RolloutNotificationsJsonContext.Default.RolloutWebhookPayload) is { Id: { Length: > 0 } id } payload)
            {
                message = new RolloutWebhookMessage(id, payload.Prompt ?? "", payload.Decision ?? "", body);
            }
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
        }

        return message is not null;
    }
}
