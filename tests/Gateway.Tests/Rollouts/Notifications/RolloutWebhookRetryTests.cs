using LlmGateway.Rollouts.Notifications;
using Polly;
using Polly.Timeout;

namespace LlmGateway.Tests.Rollouts.Notifications;

/// <summary>Which failed deliveries are worth another attempt.</summary>
public sealed class RolloutWebhookRetryTests
{
    [Fact]
    public async Task A_connect_timeout_is_retried()
    {
        // What SocketsHttpHandler throws when its ConnectTimeout passes, taken from the real handler (not written by
        // hand): its connection never completes, as with a host that drops the packets.
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(50),
            ConnectCallback = async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                throw new InvalidOperationException("unreachable");
            },
        };
        using var http = new HttpClient(handler);
        var exception = await Record.ExceptionAsync(() => http.GetAsync("http://webhook.invalid/", TestContext.Current.CancellationToken));

        Assert.IsType<TimeoutException>(Assert.IsAssignableFrom<OperationCanceledException>(exception).InnerException);
        Assert.True(RolloutWebhookTarget.ShouldRetry(Outcome.FromException<int>(exception!)));
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(429, true)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(200, false)]
    public void Statuses(int status, bool retried) =>
        Assert.Equal(retried, RolloutWebhookTarget.ShouldRetry(Outcome.FromResult(status)));

    [Fact]
    public void Connection_failures_and_attempt_timeouts_are_retried_a_plain_cancellation_is_not()
    {
        Assert.True(RolloutWebhookTarget.ShouldRetry(Outcome.FromException<int>(new HttpRequestException(HttpRequestError.ConnectionError, "refused", statusCode: null))));
        Assert.True(RolloutWebhookTarget.ShouldRetry(Outcome.FromException<int>(new TimeoutRejectedException())));
        Assert.False(RolloutWebhookTarget.ShouldRetry(Outcome.FromException<int>(new OperationCanceledException())));
    }
}
