using LlmGateway.Errors;
using StackExchange.Redis;

namespace LlmGateway.Tests.Errors;

public sealed class UnhandledErrorResponderTests
{
    public static TheoryData<Exception> StoreFailures() =>
    [
        new RedisTimeoutException(CommandFlags.None, "Timeout performing HSET (5000ms), inst: 1, qu: 0, serverEndpoint: 10.0.0.7:6379", CommandStatus.Sent),
        new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "It was not possible to connect to 10.0.0.7:6379", null, CommandStatus.Unknown),
        new InvalidOperationException("wrapped", new RedisTimeoutException(CommandFlags.None, "inner", CommandStatus.WaitingToBeSent)),
        new RedisServerException(RedisErrorKind.Loading, CommandFlags.None, "LOADING Redis is loading the dataset in memory"),
        new RedisServerException(RedisErrorKind.ReadOnly, CommandFlags.None, "READONLY You can't write against a read only replica."),
        new RedisServerException(RedisErrorKind.OutOfMemory, CommandFlags.None, "OOM command not allowed when used memory > 'maxmemory'."),
        new RedisServerException(RedisErrorKind.Misconfigured, CommandFlags.None, "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."),
    ];

    [Theory]
    [MemberData(nameof(StoreFailures))]
    public void A_store_failure_is_a_retryable_503_that_names_no_address(Exception exception)
    {
        var error = UnhandledErrorResponder.For(exception);

        Assert.Equal(503, error.StatusCode);
        Assert.Equal("store_unavailable", error.Body.Code);
        Assert.Equal(1, error.RetryAfterSeconds);
        Assert.DoesNotContain("10.0.0.7", error.Body.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_the_server_refused_keeps_its_status()
    {
        var error = UnhandledErrorResponder.For(new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", 413));

        Assert.Equal(413, error.StatusCode);
        Assert.Equal("request_too_large", error.Body.Code);
        Assert.Equal("invalid_request_error", error.Body.Type);
    }

    [Fact]
    public void A_store_error_that_fails_the_same_way_every_time_is_a_500_not_a_retryable_503()
    {
        var error = UnhandledErrorResponder.For(new RedisServerException(RedisErrorKind.WrongType, CommandFlags.None, "WRONGTYPE Operation against a key holding the wrong kind of value"));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal("internal_error", error.Body.Code);
    }

    [Fact]
    public void Any_other_failure_is_a_500_that_does_not_repeat_the_exception_text()
    {
        var error = UnhandledErrorResponder.For(new InvalidOperationException("secret gwk_live_123 in a message"));

        Assert.Equal(500, error.StatusCode);
        Assert.Equal("internal_error", error.Body.Code);
        Assert.Null(error.RetryAfterSeconds);
        Assert.DoesNotContain("gwk_live_123", error.Body.Message, StringComparison.Ordinal);
    }
}
