using System.Text;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Prompts;
using LlmGateway.Providers;
using LlmGateway.Proxy;
using LlmGateway.Rewriting;
using LlmGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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

    /// <summary>
    /// A client's long text that takes a plain template past a limit is the client's 400, never the version's 500: a 500
    /// counts against the version and its arm, and a client could raise any arm's error rate at will with a long variable.
    /// </summary>
    [Theory]
    [InlineData("Answer about {{ text }} and again about {{ text }}.", 2_100)]
    [InlineData("{% assign words = text | split: ' ' %}{% for w in words %}{{ w | size }}{% endfor %}", 2_400)]
    public async Task A_limit_met_by_the_clients_long_text_in_a_plain_template_is_the_clients_400(string template, int length)
    {
        var limits = new TemplateLimits(Options.Create(new TemplateLimitsOptions { MaxSteps = 1_000, MaxOutputChars = 4_096 }));
        var bundle = Prepare(template, limits);
        var text = string.Concat(Enumerable.Repeat("a ", length / 2));
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes($$$"""{"prompt_variables":{"text":"{{{text}}}"}}"""));

        var (contents, error) = await new PromptRenderer(NullLogger<PromptRenderer>.Instance, limits).RenderAsync(bundle, scan);

        Assert.Null(contents);
        Assert.NotNull(error);
        Assert.Equal((400, "prompt_variables_too_long", "prompt_variables"), (error.StatusCode, error.Body.Code, error.Body.Param));
    }

    /// <summary>A template that amplifies a short value past a limit, or meets one on its own, stays the version's 500.</summary>
    [Theory]
    [InlineData("{% assign s = text %}{% for i in (1..24) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}", 10)]
    [InlineData("{% for i in (1..100) %}{% for j in (1..100) %}x{% endfor %}{% endfor %}{{ text }}", 600)]
    public async Task A_limit_the_template_meets_by_itself_or_by_amplifying_is_the_versions_500(string template, int length)
    {
        var limits = new TemplateLimits(Options.Create(new TemplateLimitsOptions { MaxSteps = 1_000, MaxOutputChars = 4_096 }));
        var bundle = Prepare(template, limits);
        var scan = RequestBodyScanner.Scan(Encoding.UTF8.GetBytes($$$"""{"prompt_variables":{"text":"{{{new string('a', length)}}}"}}"""));

        var (_, error) = await new PromptRenderer(NullLogger<PromptRenderer>.Instance, limits).RenderAsync(bundle, scan);

        Assert.NotNull(error);
        Assert.Equal((500, "template_error"), (error.StatusCode, error.Body.Code));
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
