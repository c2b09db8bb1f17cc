namespace LlmGateway.Rollouts.Notifications;

/// <summary>A notification that failed after every attempt: when, why (<c>HTTP 500</c> or an exception's type), after how many attempts.</summary>
/// <param name="Target">The webhook it failed at (<see cref="RolloutWebhookTarget.Fingerprint"/>): a failure at a URL since replaced says nothing of the new one. Null in outcomes stored before it was kept.</param>
internal sealed record RolloutWebhookFailure(DateTimeOffset At, string Reason, int Attempts, string? Target = null)
{
    public override string ToString() => $"{Reason} after {Attempts} attempt(s) at {At:O}";
}
