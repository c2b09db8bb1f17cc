namespace LlmGateway.Rollouts.Notifications;

/// <summary><c>Gateway:Rollouts:Webhooks:&lt;environment&gt;</c>: where one environment's rollout decisions are posted.</summary>
internal sealed class RolloutWebhookOptions
{
    /// <summary>An absolute http(s) URL (a Slack incoming webhook works as is). Blank: no webhook for this environment.</summary>
    public string? Url { get; set; }

    /// <summary>When set, every body is signed: <c>X-Gateway-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>Attempts per notification, the first included (retries on 5xx, 429, timeouts and connection errors).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt may take before it counts as failed (and is retried).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
