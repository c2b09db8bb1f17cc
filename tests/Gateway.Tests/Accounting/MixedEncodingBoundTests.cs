using System.Text;
using System.Text.Json;
using LlmGateway.Accounting;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// A budget's input bound must hold for every model that may serve the request: when a fallback counts with another
/// encoding, one tokenizer's count is no bound, and the text is counted at a token per byte instead.
/// </summary>
public sealed class MixedEncodingBoundTests
{
    private static readonly TokenizerRegistry Registry = new();

    [Fact]
    public void Counted_by_bytes_the_bound_holds_for_an_encoding_that_counts_the_text_at_more_tokens()
    {
        // Gujarati: o200k counts it at a fraction of cl100k's tokens.
        var text = string.Concat(Enumerable.Repeat("આ એક પરીક્ષણ વાક્ય છે. ", 200));
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { model = "gpt-4o", messages = new[] { new { role = "user", content = text } } }));
        var cl100k = Registry.Count(text, TokenizerRegistry.Cl100k);

        var byO200k = new PromptTokenEstimate(body, TokenizerRegistry.O200k).UpperBound(Registry);
        var byBytes = new PromptTokenEstimate(body, TokenizerRegistry.O200k).UpperBound(Registry, byBytes: true);

        Assert.True(byO200k < cl100k, $"the o200k bound {byO200k} already holds cl100k's {cl100k}: the case shows nothing");
        Assert.True(byBytes >= cl100k, $"bound {byBytes} below cl100k's count {cl100k}");
    }

    [Fact]
    public void Counted_by_bytes_the_prompt_is_not_tokenized()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o","messages":[{"role":"user","content":"hello there"}]}""");
        var estimate = new PromptTokenEstimate(body, TokenizerRegistry.O200k);

        _ = estimate.UpperBound(Registry, byBytes: true);

        Assert.Equal(0, estimate.Tokenizations);
    }
}
