using LlmGateway.Accounting;

namespace LlmGateway.Tests.Accounting;

public sealed class TokenizerRegistryTests
{
    private static readonly TokenizerRegistry Registry = new();

    // Reference counts from OpenAI's tiktoken encodings (js-tiktoken 1.x), for a fixed table of
    // English, code, emoji, CJK and accented text.
    [Theory]
    [InlineData("Hello, world!", 4, 4)]
    [InlineData("The quick brown fox jumps over the lazy dog.", 10, 10)]
    [InlineData("def add(a, b):\n    return a + b  # sum\n", 15, 15)]
    [InlineData("for (int i = 0; i < n; i++) { total += values[i]; }", 21, 21)]
    [InlineData("I love pizza 🍕🍕 and 🎉 parties!", 12, 15)]
    [InlineData("你好，世界！这是一个测试。", 8, 12)]
    [InlineData("日本語のテキストとカタカナ、ひらがな。", 17, 20)]
    [InlineData("Ünïcödé àccents: café, naïve, façade.", 16, 19)]
    [InlineData("", 0, 0)]
    public void Counts_equal_the_reference_tiktoken_counts(string text, int o200k, int cl100k)
    {
        Assert.Equal(o200k, Registry.Count(text, TokenizerRegistry.O200k));
        Assert.Equal(cl100k, Registry.Count(text, TokenizerRegistry.Cl100k));
    }

    [Theory]
    [InlineData("gpt-4o-mini", TokenizerRegistry.O200k)]
    [InlineData("gpt-4.1", TokenizerRegistry.O200k)]
    [InlineData("gpt-5", TokenizerRegistry.O200k)]
    [InlineData("o3-mini", TokenizerRegistry.O200k)]
    [InlineData("gpt-4-turbo", TokenizerRegistry.Cl100k)]
    [InlineData("gpt-3.5-turbo", TokenizerRegistry.Cl100k)]
    [InlineData("text-embedding-3-small", TokenizerRegistry.Cl100k)]
    [InlineData("llama3.1:8b", TokenizerRegistry.O200k)]
    public void The_encoding_follows_the_model_family(string model, string encoding) =>
        Assert.Equal(encoding, TokenizerRegistry.EncodingFor(model));

    [Fact]
    public void A_configured_encoding_wins() =>
        Assert.Equal(TokenizerRegistry.Cl100k, TokenizerRegistry.EncodingFor("gpt-4o", TokenizerRegistry.Cl100k));
}
