using System.Text;
using LlmGateway.OpenAi;

namespace LlmGateway.Tests.OpenAi;

/// <summary>The usage object found in the last bytes of a body too large to keep whole.</summary>
public sealed class JsonTailUsageTests
{
    [Theory]
    [InlineData("ontent\":\"x\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}", "{\"prompt_tokens\":9,\"completion_tokens\":3}")]
    [InlineData("t\"}],\"usage\" : \n { \"input_tokens\":1,\"output_tokens\":2,\"output_tokens_details\":{\"reasoning_tokens\":1}} ,\"service_tier\":\"default\"}", "{ \"input_tokens\":1,\"output_tokens\":2,\"output_tokens_details\":{\"reasoning_tokens\":1}}")]
    // A "usage" inside a string is escaped: the real key is the later one, even after a string ending in a backslash.
    [InlineData("\\\"usage\\\":{\\\"prompt_tokens\\\":1}\\\\\"}],\"usage\":{\"prompt_tokens\":2}}", "{\"prompt_tokens\":2}")]
    // A Responses body's metadata comes after its usage: a client's "usage" key there is passed over.
    [InlineData("\"usage\":{\"input_tokens\":3,\"output_tokens\":4},\"metadata\":{\"usage\":\"x\"}}", "{\"input_tokens\":3,\"output_tokens\":4}")]
    [InlineData("\"usage\":{\"input_tokens\":3,\"output_tokens\":4},\"user\":\"usage\",\"metadata\":{\"purpose\":\"usage\"}}", "{\"input_tokens\":3,\"output_tokens\":4}")]
    public void The_last_unescaped_usage_object_is_found(string tail, string expected)
    {
        Assert.True(JsonTailUsage.TryFind(Encoding.UTF8.GetBytes(tail), out var usage));
        Assert.Equal(expected, Encoding.UTF8.GetString(usage));
    }

    [Theory]
    [InlineData("\"content\":\"no usage here\"}}]}")]
    [InlineData("\"usage\":null}")]
    [InlineData("\"usage\":{\"prompt_tokens\":9,\"compl")]
    // A Responses body whose usage is null, with a tool's schema naming a "usage" property before it.
    [InlineData("\"parameters\":{\"properties\":{\"usage\":{\"type\":\"string\"}}}}],\"usage\":null}")]
    [InlineData("\"content\":\"say \\\"usage\\\":{\\\"prompt_tokens\\\":1} please\"}}]}")]
    public void Nothing_is_found_without_a_whole_unescaped_usage_object(string tail)
    {
        Assert.False(JsonTailUsage.TryFind(Encoding.UTF8.GetBytes(tail), out _));
    }
}
