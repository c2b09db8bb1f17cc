using LlmGateway.OpenAi;

namespace LlmGateway.Tests.OpenAi;

public sealed class ReportedModelNamesTests
{
    [Fact]
    public void The_same_name_read_twice_is_one_string()
    {
        var names = new ReportedModelNames(4);

        var first = names.Get("gpt-4o-mini-2024-07-18".ToCharArray());
        var second = names.Get("gpt-4o-mini-2024-07-18".ToCharArray());

        Assert.Equal("gpt-4o-mini-2024-07-18", first);
        Assert.Same(first, second);
        Assert.NotSame(first, names.Get("gpt-4o".ToCharArray()));
    }

    [Fact]
    public void Past_its_capacity_names_are_still_read_right_and_the_first_ones_stay_shared()
    {
        var names = new ReportedModelNames(2);
        var kept = names.Get("kept".AsSpan());

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("flood-" + i, names.Get(("flood-" + i).AsSpan()));
        }

        Assert.NotSame(names.Get("flood-9".AsSpan()), names.Get("flood-9".AsSpan()));
        Assert.Same(kept, names.Get("kept".AsSpan()));
    }

    [Fact]
    public void A_name_longer_than_any_model_is_read_right_and_not_kept()
    {
        var names = new ReportedModelNames(4);
        var longName = new string('m', ReportedModelNames.MaxNameChars + 1);

        Assert.Equal(longName, names.Get(longName.AsSpan()));
        Assert.Equal(0, names.Count);
        Assert.Equal("short", names.Get("short".AsSpan()));
        Assert.Equal(1, names.Count);
    }
}
