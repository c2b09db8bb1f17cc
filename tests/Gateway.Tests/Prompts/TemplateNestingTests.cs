using Fluid;
using LlmGateway.Prompts;

namespace LlmGateway.Tests.Prompts;

/// <summary>The look before Fluid parses a template: nesting that would overflow the stack is refused, prompts pass.</summary>
public sealed class TemplateNestingTests
{
    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    public static TheoryData<string, string> TooDeep => new()
    {
        { Repeat("{% if a %}", 65) + "x" + Repeat("{% endif %}", 65), "Nests blocks" },
        { Repeat("{%- for x in a -%}", 40) + Repeat("{% capture c %}", 30) + "x", "Nests blocks" },
        { "{% liquid\n" + Repeat("if a\n", 65) + "echo a\n" + Repeat("endif\n", 65) + "%}", "Nests blocks" },
        { "{{ a" + Repeat(" | upcase", 65) + " }}", "Chains more than 64" },
        { "{% if a" + Repeat(" or a", 65) + " %}x{% endif %}", "Chains more than 64" },
        { "{% if a" + Repeat(" == a and a", 33) + " %}x{% endif %}", "Chains more than 64" },
        { "{{ " + new string('(', 33) + "a" + new string(')', 33) + " }}", "Nests parentheses" },
        { "{{ a" + Repeat("[a", 33) + Repeat("]", 33) + " }}", "Nests parentheses" },
        // A quoted end of tag is text to Fluid: the look reads past it as Fluid does.
        { "{{ \"}}\"" + Repeat(" | upcase", 65) + " }}", "Chains more than 64" },
        { "{{ '%}}' }}{% if a" + Repeat(" or a", 65) + " %}x{% endif %}", "Chains more than 64" },
        { "{{ \"}}{% raw %}\" }}" + Repeat("{% if a %}", 65) + "x" + Repeat("{% endif %}", 65), "Nests blocks" },
        { "{% raw %}" + Repeat("{% if a %}", 65), "Opens a raw block it never closes" },
        { "{% comment %}" + Repeat("{% if a %}", 65), "Opens a comment block it never closes" },
    };

    [Theory]
    [MemberData(nameof(TooDeep))]
    public void Nesting_that_would_overflow_the_stack_is_refused_before_parsing(string template, string problem)
    {
        Assert.StartsWith(problem, TemplateNesting.Problem(template), StringComparison.Ordinal);
        Assert.False(new PromptTemplateAnalyzer().TryParse(template, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.StartsWith(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_parsed_trees_depth_is_measured_and_a_tree_past_the_bound_is_one_the_look_would_have_refused()
    {
        // The look at the text refuses first; the tree's own depth is the bound every walk and render relies on.
        var parser = new FluidParser();
        Assert.True(parser.TryParse(Repeat("{% if a %}", 64) + "x" + Repeat("{% endif %}", 64), out var allowed, out _));
        Assert.True(parser.TryParse("{{ a" + Repeat(" | upcase", 300) + " }}", out var deep, out _));

        Assert.InRange(TemplateDepthMeter.Measure(allowed), 64, PromptTemplateAnalyzer.MaxTreeDepth);
        Assert.True(TemplateDepthMeter.Measure(deep) > PromptTemplateAnalyzer.MaxTreeDepth);
    }

    [Theory]
    [InlineData("Hello {{ name | default: \"there\" | capitalize }}, {% if vip %}welcome back{% else %}welcome{% endif %}.")]
    [InlineData("{% for m in messages %}{% case m.role %}{% when 'user' %}{{ m.content }}{% endcase %}{% endfor %}")]
    // Sixty-four deep, and a sequence of blocks as long as one likes: depth is what recursion costs, not length.
    [InlineData("NESTED_64")]
    [InlineData("SEQUENCE_1000")]
    // What raw and comment hold is text: its "tags" neither open blocks nor count.
    [InlineData("RAW_TAGS")]
    // Operators and brackets inside quotes are text.
    [InlineData("QUOTED")]
    public void Templates_a_prompt_writes_pass_and_parse(string template)
    {
        template = template switch
        {
            "NESTED_64" => Repeat("{% if a %}", 64) + "x" + Repeat("{% endif %}", 64),
            "SEQUENCE_1000" => Repeat("{% if a %}x{% endif %}{{ a | upcase | downcase }}", 1000),
            "RAW_TAGS" => "{% raw %}" + Repeat("{% if a %}", 100) + "{% endraw %}{% comment %}" + Repeat("{{ (", 100) + "{% endcomment %}ok",
            "QUOTED" => "{{ a | append: \"" + Repeat("(| or ", 100) + "\" }}",
            _ => template,
        };

        Assert.Null(TemplateNesting.Problem(template));
        Assert.True(new PromptTemplateAnalyzer().TryParse(template, out var parsed, out var error), error);
        Assert.NotNull(parsed);
    }
}
