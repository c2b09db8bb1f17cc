using System.Text;
using BenchmarkDotNet.Attributes;
using LlmGateway.Accounting;

namespace LlmGateway.Benchmarks.Accounting;

/// <summary>
/// The fallback estimate when a provider sends no usage: <c>TokenizerRegistry.Count</c> with
/// o200k (the gpt-4o family's encoding) over 1 KB of UTF-8 text, English prose and a mix of code
/// and CJK. The registry, and so the vocabulary load, is created once. Multiply by the kilobytes of
/// prompt and generated text for a request's cost.
/// </summary>
[MemoryDiagnoser]
public class TokenCountingBenchmarks
{
    private const int Bytes = 1024;

    private const string Prose =
        "The gateway sits between the applications and the model providers. Every request is checked, "
        + "routed to a deployment and forwarded, and the answer is streamed back to the client as it arrives. "
        + "When the provider reports how many tokens it used, that figure is billed; when it does not, for "
        + "example because a stream was cut short or the client cancelled, the gateway estimates the count "
        + "from the prompt it forwarded and from the text that was actually generated. The estimate uses the "
        + "same byte-pair encoding as the model family, so it is usually within a few percent of the real "
        + "figure. Costs are then priced with the table in force at the time of the request, not at the time "
        + "the record is written, so a price change during a long stream does not surprise anyone. ";

    private const string CodeCjk =
        "```csharp\npublic static int Count(string text, string encoding) =>\n    text.Length == 0 ? 0 : _byEncoding[encoding].CountTokens(text);\n```\n"
        + "このメソッドは、プロバイダーが使用量を返さない場合にトークン数を推定します。"
        + "```python\ndef estimate(prompt: str, output: str) -> dict[str, int]:\n    return {\"input\": count(prompt), \"output\": count(output)}\n```\n"
        + "网关会在请求时按价格表计算费用。스트림이 중간에 끊겨도 생성된 텍스트만큼 청구됩니다.\n";

    private TokenizerRegistry _registry = null!;
    private string _prose = "";
    private string _codeCjk = "";

    [GlobalSetup]
    public void Setup()
    {
        _registry = new TokenizerRegistry();
        _prose = Take(Prose, Bytes);
        _codeCjk = Take(CodeCjk, Bytes);

        var prose = _registry.Count(_prose, TokenizerRegistry.O200k);
        var mixed = _registry.Count(_codeCjk, TokenizerRegistry.O200k);
        if (TokenizerRegistry.EncodingFor("gpt-4o-mini") != TokenizerRegistry.O200k
            || Encoding.UTF8.GetByteCount(_prose) is < Bytes - 4 or > Bytes || Encoding.UTF8.GetByteCount(_codeCjk) is < Bytes - 4 or > Bytes
            || prose is < 150 or > 350 || mixed is < 150 or > 700)
        {
            throw new InvalidOperationException($"Unexpected samples: prose {prose} tokens, code/CJK {mixed} tokens.");
        }
    }

    [Benchmark]
    public int CountProse1Kb() => _registry.Count(_prose, TokenizerRegistry.O200k);

    [Benchmark]
    public int CountCodeCjk1Kb() => _registry.Count(_codeCjk, TokenizerRegistry.O200k);

    // Repeats the text up to at most `bytes` of UTF-8, never cutting a character (or a surrogate pair).
    private static string Take(string text, int bytes)
    {
        var sb = new StringBuilder();
        var used = 0;
        while (true)
        {
            foreach (var rune in text.EnumerateRunes())
            {
                if (used + rune.Utf8SequenceLength > bytes)
                {
                    return sb.ToString();
                }

                sb.Append(rune.ToString());
                used += rune.Utf8SequenceLength;
            }
        }
    }
}
