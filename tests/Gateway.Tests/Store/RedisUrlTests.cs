using LlmGateway.Store;

namespace LlmGateway.Tests.Store;

public sealed class RedisUrlTests
{
    [Fact]
    public void Parses_a_redis_url_with_password_and_database()
    {
        var options = RedisUrl.Parse("redis://:s3cr%40t@cache.internal:6380/2");

        Assert.Equal("cache.internal:6380", options.EndPoints.Single().ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal));
        Assert.Equal("s3cr@t", options.Password);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.False(options.Ssl);
    }

    [Fact]
    public void Rediss_turns_on_tls_and_keeps_the_user()
    {
        var options = RedisUrl.Parse("rediss://app:pw@host");

        Assert.True(options.Ssl);
        Assert.Equal("app", options.User);
        Assert.Equal("pw", options.Password);
        Assert.Contains("6379", options.EndPoints.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Passes_a_plain_configuration_string_through()
    {
        var options = RedisUrl.Parse("127.0.0.1:7000,abortConnect=false");

        Assert.Contains("7000", options.EndPoints.Single().ToString(), StringComparison.Ordinal);
        Assert.False(options.AbortOnConnectFail);
    }
}
