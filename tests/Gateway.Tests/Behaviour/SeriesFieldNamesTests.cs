using LlmGateway.Behaviour;

namespace LlmGateway.Tests.Behaviour;

public sealed class SeriesFieldNamesTests
{
    [Fact]
    public void A_field_is_formatted_once_and_reads_as_its_parse_expects()
    {
        var names = new SeriesFieldNames();
        var field = new SeriesField(3, "canary", "refusal", SeriesField.Passes);

        var first = names.Of(field);

        Assert.Equal("3|canary|refusal|p", first);
        Assert.Same(first, names.Of(new SeriesField(3, "canary", "refusal", SeriesField.Passes)));
        Assert.True(SeriesField.TryParse(first, out var parsed));
        Assert.Equal(field, parsed);
        Assert.Equal("3|stable|refusal|p", names.Of(field with { Variant = "stable" }));
    }

    [Fact]
    public void Past_its_capacity_it_starts_over_and_still_names_every_field_right()
    {
        var names = new SeriesFieldNames();
        for (var i = 0; i <= SeriesFieldNames.Capacity + 5; i++)
        {
            Assert.Equal($"{i}|stable|m|n", names.Of(new SeriesField(i, "stable", "m", SeriesField.Count)));
            Assert.InRange(names.Count, 1, SeriesFieldNames.Capacity);
        }

        // It started over: only the names since then are kept.
        Assert.True(names.Count < 10, $"{names.Count} names kept");
    }
}
