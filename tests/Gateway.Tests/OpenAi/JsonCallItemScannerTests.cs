using System.Text;
using CsCheck;
using LlmGateway.OpenAi;

namespace LlmGateway.Tests.OpenAi;

/// <summary>The call items of a JSON body too large to keep, found as its bytes pass, in any split.</summary>
public sealed class JsonCallItemScannerTests
{
    private const string Body = """
        {"id":"resp_1","output":[
          {"type": "web_search_call", "action": {"type": "search", "query": "x"}},
          {"type" :
             "image_generation_call", "result": "QUJD\"type\":\"file_search_call\""},
          {"type":"message","content":[{"type":"output_text","text":"\"type\": \"code_interpreter_call\" \\"}]},
          {"type":"function_call","name":"f","arguments":"{\"type\":\"mcp_call\"}"},
          {"type":"mcp_call","name":"m"},
          {"kind":"type","type":"x_call_not"}
        ],"tools":[{"type":"web_search"}],"usage":{"input_tokens":1}}
        """;

    [Fact]
    public void Only_real_type_values_ending_in_call_count_and_never_a_function_call()
    {
        var scanner = new JsonCallItemScanner();

        scanner.Append(Encoding.UTF8.GetBytes(Body));

        Assert.Equal(["web_search_call", "image_generation_call", "mcp_call"], scanner.Calls);
    }

    [Fact]
    public void Any_split_of_the_body_finds_the_same_calls()
    {
        var bytes = Encoding.UTF8.GetBytes(Body);
        Gen.Int[1, 40].Array[1, 200].Sample(sizes =>
        {
            var scanner = new JsonCallItemScanner();
            var at = 0;
            for (var i = 0; at < bytes.Length; i++)
            {
                var size = Math.Min(sizes[i % sizes.Length], bytes.Length - at);
                scanner.Append(bytes.AsSpan(at, size));
                at += size;
            }

            Assert.Equal(["web_search_call", "image_generation_call", "mcp_call"], scanner.Calls);
        });
    }
}
