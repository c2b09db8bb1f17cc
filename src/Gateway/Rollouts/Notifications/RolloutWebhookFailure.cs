namespace LlmGateway.Rollouts.Notifications;

/// <summary>A notification that failed after every attempt: when, why (<c>HTTP 500</c> or an exception's type), after how many attempts.</summary>
internal sealed record RolloutWebhookFailure(DateTimeOffset At, string Reason, int Attempts)
{
    public override string ToString() => $"{Reason} after {Attempts} attempt(s) at {At:O}";
}
