using LlmGateway.Rollouts;
using LlmGateway.Rollouts.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Rollouts.Notifications;

public sealed class RolloutNotificationsOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings) => new ServiceCollection()
        .AddLogging()
        .AddMetrics()
        .Configure<LlmGateway.Releases.ReleaseOptions>(o => o.Environments = ["development", "staging", "production"])
        .AddRolloutNotifications(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
        .BuildServiceProvider();

    [Fact]
    public void A_webhook_for_an_environment_the_gateway_does_not_have_is_refused()
    {
        // "prod" where the environment is "production": no decision would ever be posted, and readiness said all was well.
        using var services = Services(new() { ["Gateway:Rollouts:Webhooks:prod:Url"] = "https://hooks.example/x?token=leak" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RolloutWebhooksOptions>>().Value);

        Assert.Contains("Gateway:Rollouts:Webhooks:prod: 'prod' is not one of Gateway:Releases:Environments (development, staging, production)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leak", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Url", "ftp://hooks.example/x?token=leak", "Url must be an absolute http or https URL")]
    [InlineData("Url", "/relative?token=leak", "Url must be an absolute http or https URL")]
    [InlineData("MaxAttempts", "0", "MaxAttempts must be between 1 and 20")]
    [InlineData("BaseDelay", "00:00:00", "BaseDelay must be more than 0")]
    [InlineData("Timeout", "00:05:00", "Timeout must be between 10 ms and 1 minute")]
    public void A_bad_webhook_is_refused_naming_the_environment_but_not_the_url(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:Rollouts:Webhooks:production:Url"] = "https://hooks.example/x" };
        settings[$"Gateway:Rollouts:Webhooks:production:{key}"] = value;
        using var services = Services(settings);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RolloutWebhooksOptions>>().Value);

        Assert.Contains("Gateway:Rollouts:Webhooks:production", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leak", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_five_attempts_from_one_second_with_five_second_attempts()
    {
        using var services = Services(new() { ["Gateway:Rollouts:Webhooks:Production:Url"] = "https://hooks.example/x" });

        var webhook = services.GetRequiredService<IOptions<RolloutWebhooksOptions>>().Value.Environments["production"];

        Assert.Equal(5, webhook.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(1), webhook.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), webhook.Timeout);
        Assert.Null(webhook.Secret);
    }

    [Fact]
    public void A_blank_url_turns_an_environments_webhook_off()
    {
        using var services = Services(new()
        {
            ["Gateway:Rollouts:Webhooks:production:Url"] = "https://hooks.example/x",
            ["Gateway:Rollouts:Webhooks:staging:Url"] = "",
        });

        var targets = services.GetRequiredService<RolloutWebhookTargets>();

        Assert.Equal(["production"], targets.All.Select(t => t.Environment));
        Assert.Equal("hooks.example", targets.All[0].Host);
    }

    [Fact]
    public void The_gateways_rollouts_use_the_webhook_notifier()
    {
        var services = new ServiceCollection().AddGatewayRollouts(new ConfigurationBuilder().Build());

        var notifier = Assert.Single(services, d => d.ServiceType == typeof(IRolloutNotifier));
        Assert.Equal(typeof(WebhookRolloutNotifier), notifier.ImplementationType);
    }
}
