using LlmGateway.Providers;

namespace LlmGateway.Tests.Providers;

/// <summary>The published limits a catalog entry falls back on: the longest matching family prefix, else the default.</summary>
public sealed class ModelFamilyLimitsTests
{
    [Theory]
    [InlineData("gpt-4o-mini-2024-07-18", 16_384, 128_000)]
    [InlineData("gpt-4.1-mini", 32_768, 1_047_576)]
    [InlineData("gpt-4-turbo", 4_096, 128_000)]
    [InlineData("gpt-4-0613", 8_192, 8_192)]
    [InlineData("gpt-4-1106-preview", 8_192, 128_000)]
    [InlineData("gpt-4.5-preview", 16_384, 128_000)]
    [InlineData("GPT-5", 128_000, 272_000)]
    [InlineData("o3-mini", 100_000, 200_000)]
    [InlineData("some-local-model", OutputLimits.UnknownModelDefault, InputLimits.UnknownModelDefault)]
    public void The_longest_family_prefix_wins_else_the_default(string model, int output, int input)
    {
        Assert.Equal((output, input), (OutputLimits.For(model), InputLimits.For(model)));
    }
}
