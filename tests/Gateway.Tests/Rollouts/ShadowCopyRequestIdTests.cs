using LlmGateway.Proxy;
using LlmGateway.Shadow;
using Microsoft.AspNetCore.Http;

namespace LlmGateway.Tests.Rollouts;

/// <summary>A copy's request id is <c>{id}.shadow</c> and is kept when the copy is admitted, whatever the client's id length.</summary>
public sealed class ShadowCopyRequestIdTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(121)]
    [InlineData(122)]
    [InlineData(125)]
    [InlineData(128)]
    public void The_copys_id_is_the_clients_with_shadow_appended_and_admission_keeps_it(int length)
    {
        var clientId = new string('a', length - 1) + "z";
        var call = new ShadowCall(clientId, "http", "localhost", "/v1/chat/completions", "", "production", "smp_1", 1, 2, TimeSpan.Zero, [], new HeaderDictionary(), 0);

        var copyId = call.CopyRequestId;

        Assert.EndsWith(".shadow", copyId, StringComparison.Ordinal);
        Assert.True(copyId.Length <= RequestIds.MaxLength, $"{copyId.Length} characters");
        Assert.StartsWith(clientId[..Math.Min(length, RequestIds.MaxLength - ".shadow".Length)], copyId, StringComparison.Ordinal);
        var admitted = new DefaultHttpContext();
        admitted.Request.Headers[RequestIds.Header] = copyId;
        Assert.Equal(copyId, RequestIds.Ensure(admitted));
    }
}
