using LlmGateway.Cli.Eval;

namespace LlmGateway.Cli.Tests.Eval;

/// <summary>A version number names one bundle only on one gateway: cached answers are never shared across gateways.</summary>
public sealed class EvalCacheScopeTests
{
    [Fact]
    public void Another_gateway_other_bundles_or_the_stream_path_is_another_scope_and_spelling_of_the_same_url_is_not()
    {
        var staging = EvalCommands.CacheScope(new Uri("https://staging.example.com/"), streamed: false, ["v2=a", "v1=b"]);

        Assert.Equal(staging, EvalCommands.CacheScope(new Uri("https://staging.example.com"), streamed: false, ["v2=a", "v1=b"]));
        Assert.NotEqual(staging, EvalCommands.CacheScope(new Uri("https://production.example.com/"), streamed: false, ["v2=a", "v1=b"]));
        Assert.NotEqual(staging, EvalCommands.CacheScope(new Uri("https://staging.example.com/"), streamed: true, ["v2=a", "v1=b"]));
        Assert.NotEqual(
            EvalCommands.CacheScope(new Uri("http://127.0.0.1:8080/"), streamed: false, ["v2=a", "v1=b"]),
            EvalCommands.CacheScope(new Uri("http://127.0.0.1:8081/"), streamed: false, ["v2=a", "v1=b"]));
        Assert.NotEqual(staging, EvalCommands.CacheScope(new Uri("https://staging.example.com/"), streamed: false, ["v2=a", "v1=c"]));
        Assert.NotEqual(staging, EvalCommands.CacheScope(new Uri("https://staging.example.com/"), streamed: false, ["v2=a"]));
        // The same two bundles under swapped numbers.
        Assert.NotEqual(staging, EvalCommands.CacheScope(new Uri("https://staging.example.com/"), streamed: false, ["v1=a", "v2=b"]));
    }
}
