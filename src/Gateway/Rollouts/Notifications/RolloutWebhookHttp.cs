namespace LlmGateway.Rollouts.Notifications;

/// <summary>
/// The webhooks' own client (the gateway registers no <c>IHttpClientFactory</c>): one pooled handler for the process,
/// connections recycled so DNS changes are seen. Timeouts are per attempt, in the retry pipeline; redirects are not followed.
/// </summary>
internal static class RolloutWebhookHttp
{
    public static HttpClient Client { get; } = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
