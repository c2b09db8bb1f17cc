using Microsoft.Extensions.Options;

namespace LlmGateway.Rollouts.Notifications;

/// <summary>Checked when the host starts. Messages name the environment, never the URL (it may carry a token) or the secret.</summary>
internal sealed class RolloutWebhooksOptionsValidator(IOptions<Releases.ReleaseOptions> releases) : IValidateOptions<RolloutWebhooksOptions>
{
    public ValidateOptionsResult Validate(string? name, RolloutWebhooksOptions options)
    {
        var failures = new List<string>();
        var environments = releases.Value.Environments;
        foreach (var (environment, webhook) in options.Environments)
        {
            var prefix = $"{RolloutWebhooksOptions.SectionName}:{environment}";
            // (The release feature always lists its environments; a host without it has none to check against.)
            if (!string.IsNullOrWhiteSpace(webhook.Url) && environments.Length > 0 && !environments.Contains(environment, StringComparer.OrdinalIgnoreCase))
            {
                // No rollout runs there: its decisions would never be posted, and readiness would say all is well.
                failures.Add($"{prefix}: '{environment}' is not one of Gateway:Releases:Environments ({string.Join(", ", environments)}).");
                continue;
            }
            if (string.IsNullOrWhiteSpace(webhook.Url))
            {
                if (!string.IsNullOrEmpty(webhook.Secret))
                {
                    failures.Add($"{prefix}: a Secret without a Url (a blank Url means no webhook).");
                }

                continue;
            }

            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{prefix}:Url must be an absolute http or https URL.");
            }

            if (webhook.MaxAttempts is < 1 or > 20)
            {
                failures.Add($"{prefix}:MaxAttempts must be between 1 and 20.");
            }

            if (webhook.BaseDelay <= TimeSpan.Zero || webhook.BaseDelay > TimeSpan.FromMinutes(1))
            {
                failures.Add($"{prefix}:BaseDelay must be more than 0 and at most 1 minute.");
            }

            if (webhook.Timeout < TimeSpan.FromMilliseconds(10) || webhook.Timeout > TimeSpan.FromMinutes(1))
            {
                failures.Add($"{prefix}:Timeout must be between 10 ms and 1 minute.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
