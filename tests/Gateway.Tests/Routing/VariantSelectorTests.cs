using CsCheck;
using LlmGateway.Routing;

namespace LlmGateway.Tests.Routing;

/// <summary>The split's promises, checked as properties over random keys.</summary>
public sealed class VariantSelectorTests
{
    private static readonly Gen<string> Keys = Gen.String[1, 40];

    [Theory]
    [InlineData(1000)]
    [InlineData(500)]
    [InlineData(2500)]
    [InlineData(9000)]
    public void The_canary_share_over_100k_keys_is_within_one_percent_of_the_weight(int weight)
    {
        var canary = 0;
        for (var i = 0; i < 100_000; i++)
        {
            if (VariantSelector.IsCanary("salt-1", "support-bot", "user-" + i, weight))
            {
                canary++;
            }
        }

        Assert.InRange(canary / 100_000.0, (weight / 10_000.0) - 0.01, (weight / 10_000.0) + 0.01);
    }

    [Fact]
    public void The_same_key_always_gets_the_same_arm() =>
        Gen.Select(Keys, Gen.String[0, 10], Gen.Int[0, 10_000]).Sample((key, salt, weight) =>
            Assert.Equal(VariantSelector.IsCanary(salt, "p", key, weight), VariantSelector.IsCanary(salt, "p", key, weight)));

    [Fact]
    public void Raising_the_weight_only_moves_keys_from_stable_to_canary() =>
        Gen.Select(Keys, Gen.Int[0, 10_000], Gen.Int[0, 10_000]).Sample((key, a, b) =>
        {
            var (low, high) = a <= b ? (a, b) : (b, a);
            if (VariantSelector.IsCanary("s", "p", key, low))
            {
                Assert.True(VariantSelector.IsCanary("s", "p", key, high));
            }
        });

    [Fact]
    public void Weights_zero_and_ten_thousand_are_all_or_nothing() =>
        Keys.Sample(key =>
        {
            Assert.False(VariantSelector.IsCanary("s", "p", key, 0));
            Assert.True(VariantSelector.IsCanary("s", "p", key, 10_000));
        });

    [Fact]
    public void A_new_salt_or_another_prompt_buckets_independently()
    {
        // Of the keys in the canary under one salt, about the weight's share is in it under another:
        // the two assignments are uncorrelated, not a shifted copy.
        const int weight = 2000;
        var inFirst = Enumerable.Range(0, 50_000).Select(i => "k" + i).Where(k => VariantSelector.IsCanary("salt-a", "p", k, weight)).ToList();
        var alsoNewSalt = inFirst.Count(k => VariantSelector.IsCanary("salt-b", "p", k, weight)) / (double)inFirst.Count;
        var alsoOtherPrompt = inFirst.Count(k => VariantSelector.IsCanary("salt-a", "q", k, weight)) / (double)inFirst.Count;

        Assert.InRange(alsoNewSalt, 0.17, 0.23);
        Assert.InRange(alsoOtherPrompt, 0.17, 0.23);
    }

    [Fact]
    public void Field_boundaries_matter()
    {
        Assert.NotEqual(VariantSelector.Bucket("ab", "c", "k"), VariantSelector.Bucket("a", "bc", "k"));
        Assert.Equal(VariantSelector.Bucket("s", "p", new string('x', 1000)), VariantSelector.Bucket("s", "p", new string('x', 1000)));
    }
}
