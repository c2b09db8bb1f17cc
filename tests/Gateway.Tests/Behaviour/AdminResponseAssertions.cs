using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Behaviour;

internal static class AdminResponseAssertions
{
    /// <summary>The error names the offending parameter (OpenAI's <c>error.param</c>).</summary>
    public static AdminResponse ExpectParam(this AdminResponse response, string param)
    {
        Assert.Equal(param, response.Json.GetProperty("error").GetProperty("param").GetString());
        return response;
    }
}
