using System.Net;
using System.Text.Json;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Security;

/// <summary>
/// Issue #15: a template cannot hang the gateway. Fluid builds a range's whole array before its step limit counts
/// one iteration, so <c>(1..2000000000)</c> would hang every render; the admin API refuses such a template at push:
/// every loop bound is a number or a variable declared with a <c>maximum</c>, within Gateway:Templates:MaxLoopIterations.
/// </summary>
public sealed class TemplatePushBoundsTests(TestEnvironment env)
{
    public static TheoryData<string, string, string> Refused => new()
    {
        { "two billion iterations, literally", "{% for i in (1..2000000000) %}x{% endfor %}", "MaxLoopIterations" },
        { "a negative start widens the range", "{% for i in (-2000000000..1) %}x{% endfor %}", "MaxLoopIterations" },
        { "a tablerow over a huge range", "{% tablerow i in (1..2000000000) %}x{% endtablerow %}", "MaxLoopIterations" },
        { "a bound from a variable without a maximum", "{% for i in (1..count) %}x{% endfor %}", "'count' must be a variable declared with a 'maximum'" },
        { "a bound read from a property of a variable", "{% for i in (1..limited.size) %}x{% endfor %}", "not an expression" },
        { "a bound from an assigned value", "{% assign big = 2000000000 %}{% for i in (1..big) %}x{% endfor %}", "'big' must be a variable declared with a 'maximum'" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_template_whose_loop_bounds_are_unbounded_is_refused_at_push(string because, string template, string expected)
    {
        var name = Bundles.UniqueName("loop-refused");
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);

        var response = await author.PushAsync(BundleJson(name, template));

        var error = response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Equal("invalid_bundle", error.GetProperty("code").GetString());
        Assert.True(error.GetProperty("errors").EnumerateArray().Any(e =>
            e.GetProperty("field").GetString() == "messages[0].content"
            && e.GetProperty("message").GetString()!.Contains(expected, StringComparison.Ordinal)), because + ": " + response.Text);
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/admin/v1/prompts/{name}")).Status);
    }

    [Theory]
    [InlineData("blocks", "Nests blocks")]
    [InlineData("filters", "Nests deeper than 160")]
    [InlineData("parentheses", "Nests parentheses")]
    [InlineData("quoted", "Nests deeper than 160")]
    public async Task A_template_nested_deep_enough_to_overflow_the_stack_is_refused_at_push_and_the_gateway_stays_up(string kind, string expected)
    {
        // Each of these ended the gateway's process (a stack overflow is not an exception) before the push checked nesting.
        var template = kind switch
        {
            "blocks" => string.Concat(Enumerable.Repeat("{% if a %}", 20_000)) + "x" + string.Concat(Enumerable.Repeat("{% endif %}", 20_000)),
            "filters" => "{{ a" + string.Concat(Enumerable.Repeat(" | upcase", 50_000)) + " }}",
            "quoted" => "{{ \"}}\"" + string.Concat(Enumerable.Repeat(" | upcase", 50_000)) + " }}",
            _ => "{{ " + new string('(', 20_000) + "a" + new string(')', 20_000) + " }}",
        };
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);

        var response = await author.PushAsync(BundleJson(Bundles.UniqueName("deep"), template));

        var error = response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error");
        Assert.Contains(error.GetProperty("errors").EnumerateArray(), e =>
            e.GetProperty("field").GetString() == "messages[0].content" && e.GetProperty("message").GetString()!.Contains(expected, StringComparison.Ordinal));
        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/admin/v1/prompts")).Status);
    }

    [Theory]
    [InlineData("{% assign count = 2000000000 %}{% for i in (1..count) %}x{% endfor %}")]
    [InlineData("{% capture count %}2000000000{% endcapture %}{% for i in (1..count) %}x{% endfor %}")]
    [InlineData("{% for i in (1..count) %}x{% endfor %}{% for count in (1..3) %}{% endfor %}")]
    public async Task A_loop_bound_the_template_gives_another_value_is_refused_though_it_is_declared_with_a_maximum(string template)
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);

        var response = await author.PushAsync(BundleJson(Bundles.UniqueName("bound-overwritten"), template, """{"name":"count","required":false,"maximum":100}"""));

        Assert.Contains(response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("errors").EnumerateArray(), e =>
            e.GetProperty("field").GetString() == "messages[0].content"
            && e.GetProperty("message").GetString()!.Contains("'count' is given another value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_loop_bound_another_message_overwrites_is_refused_since_the_messages_render_in_one_context()
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);
        var bundle = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = Bundles.UniqueName("bound-overwritten-before"),
            ["model"] = "gpt-4o-mini",
            ["messages"] = new[]
            {
                new Dictionary<string, string> { ["role"] = "system", ["content"] = "{% assign count = 2000000000 %}Hi" },
                new Dictionary<string, string> { ["role"] = "user", ["content"] = "{% for i in (1..count) %}x{% endfor %}" },
            },
            ["variables"] = new[] { JsonDocument.Parse("""{"name":"count","required":false,"maximum":100}""").RootElement },
        });

        var response = await author.PushAsync(bundle);

        Assert.Contains(response.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("errors").EnumerateArray(), e =>
            e.GetProperty("field").GetString() == "messages[1].content"
            && e.GetProperty("message").GetString()!.Contains("'count' is given another value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_declared_maximum_above_the_configured_iterations_or_a_default_above_it_is_refused()
    {
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);

        var tooLarge = await author.PushAsync(BundleJson(Bundles.UniqueName("max-large"), "{% for i in (1..count) %}x{% endfor %}", """{"name":"count","required":true,"maximum":20000000}"""));
        var badDefault = await author.PushAsync(BundleJson(Bundles.UniqueName("max-default"), "{% for i in (1..count) %}x{% endfor %}", """{"name":"count","required":false,"default":"11","maximum":10}"""));

        Assert.Contains(tooLarge.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "variables[1].maximum" && e.GetProperty("message").GetString()!.Contains("MaxLoopIterations", StringComparison.Ordinal));
        Assert.Contains(badDefault.Expect(HttpStatusCode.BadRequest).Json.GetProperty("error").GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "variables[1].default");
    }

    [Fact]
    public async Task Loops_bounded_by_small_literals_or_declared_maxima_are_accepted_and_the_maximum_is_kept()
    {
        var name = Bundles.UniqueName("loop-ok");
        using var author = new AdminClient(env.Gateway, TestEnvironment.AuthorToken);

        var template = "{% for i in (1..count) %}{% for j in (0..9) %}{{ j }}{% endfor %}{% endfor %}{% for c in (1..3) %}.{% endfor %}";
        (await author.PushAsync(BundleJson(name, template, """{"name":"count","required":false,"default":"2","maximum":100}"""))).Expect(HttpStatusCode.Created);

        using var viewer = new AdminClient(env.Gateway, TestEnvironment.ViewerToken);
        var detail = (await viewer.GetAsync($"/admin/v1/prompts/{name}/versions/1")).Expect(HttpStatusCode.OK).Json;
        var variables = detail.GetProperty("variables");
        Assert.Contains(variables.EnumerateArray(), v => v.GetProperty("name").GetString() == "count" && v.GetProperty("maximum").ValueKind == JsonValueKind.Number && v.GetProperty("maximum").GetInt32() == 100);
    }

    internal static string BundleJson(string name, string template, string? extraVariable = null) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["name"] = name,
        ["model"] = "gpt-4o-mini",
        ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "system", ["content"] = template } },
        ["variables"] = new[] { JsonDocument.Parse("""{"name":"limited","required":false}""").RootElement }
            .Concat(extraVariable is null ? [] : [JsonDocument.Parse(extraVariable).RootElement]).ToArray(),
    });
}
