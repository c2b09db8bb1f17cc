using LlmGateway.Cli.Samples;

namespace LlmGateway.Cli.Tests.Samples;

public sealed class SampleFormatterTests
{
    [Theory]
    [InlineData("support-bot", 3, "support-bot@v3")]
    [InlineData("support-bot", null, "support-bot")]
    [InlineData(null, 3, "-")]
    public void Prompt_and_version_read_as_in_the_other_tables(string? prompt, int? version, string expected)
    {
        Assert.Equal(expected, SampleFormatter.PromptAtVersion(prompt, version));
    }

    [Fact]
    public void Costs_of_one_request_keep_their_small_digits()
    {
        Assert.Equal("0.0000001", SampleFormatter.Cost(0.0000001m));
        Assert.Equal("0.000123", SampleFormatter.Cost(0.000123m));
        Assert.Equal("1.5", SampleFormatter.Cost(1.5m));
        Assert.Equal("-", SampleFormatter.Cost(null));
    }

    [Fact]
    public void A_plain_model_request_says_so_in_its_route()
    {
        var sample = new SampleRecord(
            "smp_1", "req_1", null, "rate", null, null, null, null, "gpt-4o", "openai", "key_1", null,
            Input: null, Request: null, Response: null, Usage: null, LatencyMs: 10, TtftMs: null, Redactions: null, Truncated: true);

        Assert.Equal("Route: no prompt in no environment → gpt-4o via openai, key key_1", SampleFormatter.Routing(sample));
        var text = SampleFormatter.Render(sample);
        Assert.Contains("Input messages: none", text, StringComparison.Ordinal);
        Assert.Contains("tokens:         - (nothing was billed)", text, StringComparison.Ordinal);
        Assert.Contains("truncated:      yes", text, StringComparison.Ordinal);
    }
}
