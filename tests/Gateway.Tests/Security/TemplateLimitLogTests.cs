using System.Text;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: a render stopped by a limit is logged as a warning naming the prompt, the version and the limit,
/// never the template or the variables (they may be confidential), and the limits come from configuration.
/// </summary>
public sealed class TemplateLimitLogTests
{
    private static readonly ModelCatalog Catalog = new(new CatalogOptions
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://x/v1" } },
        Models = { ["gpt-4o-mini"] = new CatalogModelOptions { Provider = "p" } },
    });

    [Theory]
    [InlineData("SECRET-TEMPLATE {% for i in (1..50) %}{{ text }}{% endfor %}", "output limit")]
    [InlineData("SECRET-TEMPLATE {% for i in (1..100) %}{% for j in (1..100) %}{{ text | size }}{% endfor %}{% endfor %}", "step or recursion limit")]
    public async Task A_limit_hit_is_a_500_template_error_logged_with_the_limit_and_without_the_template_or_values(string template, string limit)
    {
        var limits = new TemplateLimits(Options.Create(new TemplateLimitsOptions { MaxSteps = 1_000, MaxOutputChars = 4_096 }));
        var bundle = Prepare(template, limits);
        using var logs = new CapturingLoggerProvider();
        using var factory = new LoggerFactory([logs]);
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes($$$"""{"prompt_variables":{"text":"SECRET-VALUE-{{{new string('v', 200)}}}"}}"""));

        var (contents, error) = await new PromptRenderer(factory.CreateLogger<PromptRenderer>(), limits).RenderAsync(bundle, scan);

        Assert.Null(contents);
        Assert.NotNull(error);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal("template_error", error.Body.Code);
        Assert.DoesNotContain("SECRET", error.Body.Message, StringComparison.Ordinal);
        var line = Assert.Single(logs.Lines, l => l.Category == typeof(PromptRenderer).FullName);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains($"Rendering prompt 'bot' v3 was stopped: it exceeded the {limit}", line.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", line.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_out_of_range_fail_options_validation()
    {
        var result = new TemplateLimitsOptionsValidator().Validate(null, new TemplateLimitsOptions { MaxSteps = 0, MaxOutputChars = 10, MaxLoopIterations = 0 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(TemplateLimitsOptions.MaxSteps), result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(nameof(TemplateLimitsOptions.MaxOutputChars), result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(nameof(TemplateLimitsOptions.MaxLoopIterations), result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new TemplateLimitsOptionsValidator().Validate(null, new TemplateLimitsOptions()).Succeeded);
    }

    private static PreparedBundle Prepare(string template, TemplateLimits limits)
    {
        var bundle = new PromptBundle
        {
            Id = "id", Name = "bot", Version = 3, Author = "t", Model = "gpt-4o-mini",
            Messages = [new PromptMessageTemplate("system", template)],
            Variables = [new PromptVariable("text", true, null, null)],
        };
        var (prepared, problem) = new BundlePreparer(new PromptTemplateAnalyzer(), Catalog, limits).Prepare(bundle);
        Assert.True(prepared is not null, problem);
        return prepared;
    }
}
