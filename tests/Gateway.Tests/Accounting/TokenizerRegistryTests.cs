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
    [InlineData(TokenizerRegistry.O200k)]
    [InlineData(TokenizerRegistry.Cl100k)]
    public void Special_token_text_in_a_prompt_counts_as_the_text_it_is_for_the_provider(string encoding)
    {
        // A provider reads "<|endoftext|>" in a user's text as ordinary text, several tokens; the tokenizer alone reads
        // one special token. Counted at a token per character of it, an upper bound.
        var text = string.Concat(Enumerable.Repeat("<|endoftext|>a", 100));

        Assert.True(Registry.Count(text, encoding) >= 100 * "<|endoftext|>".Length, Registry.Count(text, encoding).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Registry.Count("a <| b |> c", encoding), Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(encoding).CountTokens("a <| b |> c"));
    }

    [Fact]
    public void Ordinary_text_is_counted_exactly_as_the_tokenizer_counts_it_whole()
    {
        var text = string.Concat(Enumerable.Range(0, 400).Select(i =>
            $"Order #{i * 7919} shipped to https://example.com/track?id={i:x8} — 你好 café 🍕; total = {i * 3.25:F2} EUR.\n"));
        var whole = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(TokenizerRegistry.O200k).CountTokens(text);

        Assert.Equal(whole, Registry.Count(text, TokenizerRegistry.O200k));
    }

    [Theory]
    [InlineData(' ', 1_000)]
    [InlineData('\n', 1_000)]
    [InlineData('a', 1_000)]
    [InlineData('7', 1_000)]
    [InlineData('é', 3_000)]
    public void A_run_longer_than_any_word_is_counted_in_pieces_and_never_below_its_whole_count(char letter, int length)
    {
        var text = "start " + new string(letter, length) + " end";
        var whole = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding(TokenizerRegistry.O200k).CountTokens(text);

        var pieces = Registry.Count(text, TokenizerRegistry.O200k);

        // A cut can only stop merges across it: at most a token or two more per piece.
        Assert.InRange(pieces, whole, whole + (2 * ((length / TokenizerRegistry.MaxRunLength) + 1)));
    }

    [Fact]
    public async Task A_megabyte_of_one_letter_is_counted_in_linear_time()
    {
        // Counted whole, this is quadratic (64 K alone took 17 s): the test would not end. In pieces it takes well
        // under a second; the bound only catches a return to the whole-run count, it does not time the code.
        var text = new string('a', 1 << 20);
        var count = Task.Run(() => Registry.Count(text, TokenizerRegistry.O200k), TestContext.Current.CancellationToken);

        Assert.Same(count, await Task.WhenAny(count, Task.Delay(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)));
        Assert.Equal((1 << 20) / 8, await count);
    }

    [Theory]
    [InlineData(' ')]
    [InlineData('\n')]
    [InlineData('\t')]
    public async Task A_megabyte_of_one_whitespace_character_is_counted_in_linear_time(char space)
    {
        // A whitespace run is one pre-token as well: counted whole it is as quadratic as a run of one letter.
        var text = new string(space, 1 << 20) + "x";
        var count = Task.Run(() => Registry.Count(text, TokenizerRegistry.O200k), TestContext.Current.CancellationToken);

        Assert.Same(count, await Task.WhenAny(count, Task.Delay(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)));
        Assert.InRange(await count, 2, text.Length);
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
