using Fluid;
using Fluid.Values;
using LlmGateway.Rewriting;

namespace LlmGateway.Tests.Rewriting;

/// <summary>The filters that could build more than the output limit are refused before they run, not after.</summary>
public sealed class SizeCheckedFiltersTests
{
    [Theory]
    [InlineData("", 101)]
    [InlineData(",", 51)]
    public async Task A_split_into_more_parts_than_the_limit_is_refused_before_the_parts_are_made(string separator, int parts)
    {
        var (split, ran) = Wrapped("split", 50);
        var text = separator.Length == 0 ? new string('x', parts - 1) : string.Join(separator, Enumerable.Repeat("x", parts));

        await Assert.ThrowsAsync<TemplateLimitExceededException>(async () => await split(new StringValue(text), new FilterArguments(new StringValue(separator)), new TemplateContext()));
        Assert.False(ran(), "the split ran before the check");
    }

    [Fact]
    public async Task A_split_without_a_separator_is_counted_a_part_per_character_as_fluid_splits_it()
    {
        var (split, ran) = Wrapped("split", 50);

        await Assert.ThrowsAsync<TemplateLimitExceededException>(async () => await split(new StringValue(new string('x', 51)), new FilterArguments(), new TemplateContext()));
        Assert.False(ran());
    }

    [Fact]
    public async Task A_split_within_the_limit_runs()
    {
        var (split, ran) = Wrapped("split", 50);

        await split(new StringValue("a,b,c"), new FilterArguments(new StringValue(",")), new TemplateContext());

        Assert.True(ran());
    }

    /// <summary>The filter <paramref name="name"/>, a stand-in that notes it ran, wrapped as the renderer wraps it.</summary>
    private static (FilterDelegate Filter, Func<bool> Ran) Wrapped(string name, int maxChars)
    {
        var ran = false;
        var filters = new FilterCollection();
        filters.AddFilter(name, (input, _, _) =>
        {
            ran = true;
            return new ValueTask<FluidValue>(new ArrayValue([input]));
        });
        SizeCheckedFilters.Apply(filters, maxChars);
        Assert.True(filters.TryGetValue(name, out var wrapped));
        return (wrapped!, () => ran);
    }
}
