using Fluid;
using LlmGateway.Prompts;

namespace LlmGateway.Tests.Prompts;

/// <summary>
/// Templates cannot end the process by nesting: brackets and blocks are counted in the text before Fluid parses it
/// (blind to quotes and comments, so nothing can hide them), and the parsed tree's depth bounds every later walk and
/// render. Prompts, with their quotes, comments and prose, pass.
/// </summary>
public sealed class TemplateNestingTests
{
    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    public static TheoryData<string, string> TooDeep => new()
    {
        { Repeat("{% if a %}", 65) + "x" + Repeat("{% endif %}", 65), "Nests blocks" },
        { Repeat("{%- for x in a -%}", 40) + Repeat("{% capture c %}", 30) + "x", "Nests blocks" },
        { "{{ " + new string('(', 65) + "a" + new string(')', 65) + " }}", "Nests parentheses" },
        { "{{ a" + Repeat("[a", 65) + Repeat("]", 65) + " }}", "Nests parentheses" },
        // A quote in an inline comment (text to Fluid) or an escaped one cannot hide what follows: the count is blind to both.
        { "{% # don't %}{{ " + new string('(', 65) + "a" + new string(')', 65) + " }}{% # don't %}", "Nests parentheses" },
        { "{{ 'it\\'s' }}" + Repeat("{% if a %}", 65), "Nests blocks" },
        { "{{ \"}}\" }}" + Repeat("{% if a %}", 65), "Nests blocks" },
        // Counted in the tree: a filter or an operator wraps what is before it.
        { "{{ a" + Repeat(" | upcase", 200) + " }}", "Nests deeper than 160" },
        { "{% if a" + Repeat(" or a", 200) + " %}x{% endif %}", "Nests deeper than 160" },
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void Nesting_that_would_overflow_the_stack_is_refused(string template, string problem)
    {
        Assert.False(new PromptTemplateAnalyzer().TryParse(template, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.StartsWith(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_liquid_tag_of_100000_nested_lines_is_refused_without_ending_the_process()
    {
        // The lines of a liquid tag are tags the text's look does not count (this Fluid refuses blocks there; the parse
        // runs on a stack sized to the text whatever a later one accepts).
        var template = "{% liquid\n" + Repeat("if a\n", 100_000) + Repeat("endif\n", 100_000) + "%}";

        Assert.False(new PromptTemplateAnalyzer().TryParse(template, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.NotNull(error);
    }

    [Fact]
    public async Task A_template_at_the_deepest_tree_allowed_renders_on_an_ordinary_thread()
    {
        // Sixty-four blocks, each test an operator, around a chain of filters: what the tree's bound lets a render recurse.
        var template = Repeat("{% if a and a %}", 64) + "{{ a" + Repeat(" | append: 'x'", 80) + " }}" + Repeat("{% endif %}", 64);
        Assert.True(new PromptTemplateAnalyzer().TryParse(template, out var parsed, out var error), error);
        Assert.InRange(TemplateDepthMeter.Measure(parsed!), 140, PromptTemplateAnalyzer.MaxTreeDepth);
        var context = new TemplateContext();
        context.SetValue("a", "y");

        var rendered = await Task.Run(() => parsed!.RenderAsync(context).AsTask(), TestContext.Current.CancellationToken);

        Assert.Equal("y" + new string('x', 80), rendered);
    }

    [Fact]
    public void The_parsed_trees_depth_counts_blocks_filters_and_operators()
    {
        var parser = new FluidParser();
        Assert.True(parser.TryParse(Repeat("{% if a %}", 64) + "x" + Repeat("{% endif %}", 64), out var blocks, out _));
        Assert.True(parser.TryParse("{{ a" + Repeat(" | upcase", 300) + " }}", out var filters, out _));

        Assert.InRange(TemplateDepthMeter.Measure(blocks), 64, PromptTemplateAnalyzer.MaxTreeDepth);
        Assert.True(TemplateDepthMeter.Measure(filters) > 300);
    }

    [Theory]
    [InlineData("Hello {{ name | default: \"there\" | capitalize }}, {% if vip %}welcome back{% else %}welcome{% endif %}.")]
    [InlineData("{% for m in messages %}{% case m.role %}{% when 'user' %}{{ m.content }}{% endcase %}{% endfor %}")]
    // Comments, quotes and prose the look is blind to: counted, and far under the limits.
    [InlineData("{% # don't change the tone (see the style guide) %}<role>assistant</role> {% if a < b and c != d %}[x]{% endif %}")]
    [InlineData("{% comment %}it's {% if %} (draft){% endcomment %}{{ 'don\\'t' | upcase }}")]
    [InlineData("NESTED_64")]
    [InlineData("SEQUENCE_1000")]
    [InlineData("RAW_TAGS")]
    public void Templates_a_prompt_writes_pass_and_parse(string template)
    {
        template = template switch
        {
            "NESTED_64" => Repeat("{% if a %}", 64) + "x" + Repeat("{% endif %}", 64),
            "SEQUENCE_1000" => Repeat("{% if a %}(x){% endif %}{{ a | upcase | downcase }}", 1000),
            "RAW_TAGS" => "{% raw %}" + Repeat("{% if a %}", 30) + "{% endraw %}{% comment %}" + Repeat("((", 10) + "{% endcomment %}ok",
            _ => template,
        };

        Assert.Null(TemplateNesting.Problem(template));
        Assert.True(new PromptTemplateAnalyzer().TryParse(template, out var parsed, out var error), error);
        Assert.NotNull(parsed);
    }
}
