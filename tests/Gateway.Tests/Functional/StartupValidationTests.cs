using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Functional;

/// <summary>Configuration mistakes stop the gateway at start-up with a message naming the setting.</summary>
public sealed class StartupValidationTests(TestEnvironment env)
{
    [Fact]
    public async Task A_model_on_an_unknown_provider_fails_start_up()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Models:orphan:Provider"] = "nowhere";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("Gateway:Models:orphan:Provider 'nowhere'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Gateway:OnlineEval:Judge:MaxConcurrency", "0", "MaxConcurrency")]
    [InlineData("Gateway:OnlineEval:Judge:MaxConcurrency", "-1", "MaxConcurrency")]
    [InlineData("Gateway:OnlineEval:Judge:BaseUrl", "10.0.0.5:8080", "Judge:BaseUrl")]
    [InlineData("Gateway:OnlineEval:Judge:BaseUrl", "ftp://judge.example", "Judge:BaseUrl")]
    [InlineData("Gateway:OnlineEval:Judge:Timeout", "30.00:00:00", "Judge:Timeout")]
    public async Task A_judge_setting_that_would_stall_or_break_online_evaluation_fails_start_up(string key, string value, string named)
    {
        // A concurrency of 0 made every judge call wait for ever (the nested settings were never validated); a relative
        // base URL threw after a judge slot was taken, and each such call kept one.
        var settings = env.GatewaySettings();
        settings[key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_base_url_with_a_query_fails_start_up()
    {
        // The request path is joined to the base's path: the query was dropped and the path ran into it (…/modelschat/…).
        var settings = env.GatewaySettings();
        settings["Gateway:Providers:mock:BaseUrl"] = new Uri(env.MockUrl, "/v1?api-version=2024-05-01").ToString();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("Gateway:Providers:mock:BaseUrl must not carry a query or fragment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_price_entry_without_its_output_price_fails_start_up()
    {
        // An unset price bound as 0: the model's output was free, and no spend limit counted it.
        var settings = env.GatewaySettings();
        settings["Gateway:Pricing:Models:typo-model:0:EffectiveFrom"] = "2024-01-01T00:00:00Z";
        settings["Gateway:Pricing:Models:typo-model:0:InputPerMillion"] = "3";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("Gateway:Pricing:Models:typo-model:0: an entry needs EffectiveFrom, InputPerMillion and OutputPerMillion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelt_price_field_fails_start_up()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Pricing:Models:typo-model:0:EffectiveFrom"] = "2024-01-01T00:00:00Z";
        settings["Gateway:Pricing:Models:typo-model:0:InputPerMillion"] = "3";
        settings["Gateway:Pricing:Models:typo-model:0:OutputPerMilion"] = "15";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("OutputPerMilion", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_key_cannot_be_enabled_outside_demo_mode()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Auth:DevKey:Enabled"] = "true";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("demo mode", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_token_under_the_rollout_controllers_name_fails_start_up()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Admin:Tokens:Rollout-Controller:Token"] = "a-token-of-sixteen-chars-at-least";
        settings["Gateway:Admin:Tokens:Rollout-Controller:Roles:0"] = "operator";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("Gateway:Admin:Tokens:Rollout-Controller: 'Rollout-Controller' is a name the gateway itself acts under", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_limit_below_the_minimum_fails_start_up()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Proxy:MaxRequestBodyBytes"] = "10";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("MaxRequestBodyBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_priority_tier_factor_below_the_standard_price_fails_start_up()
    {
        var settings = env.GatewaySettings();
        settings["Gateway:Pricing:PriorityTierFactor"] = "0.5";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(settings));

        Assert.Contains("Gateway:Pricing:PriorityTierFactor must be from 1 to 10, got 0.5.", error.Message, StringComparison.Ordinal);
    }
}
