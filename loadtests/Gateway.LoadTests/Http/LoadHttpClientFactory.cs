using System.Net;
using System.Net.Http.Headers;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Http;

/// <summary>Builds the one <see cref="HttpClient"/> every request of a run shares.</summary>
internal static class LoadHttpClientFactory
{
    public static HttpClient Create(LoadTestOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // One connection per virtual user or in-flight slot, so the pool never caps the load.
            MaxConnectionsPerServer = options.ConnectionPoolSize,
            // Recycling connections mid-run would put TCP connects into the percentiles.
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.RequestTimeout,
            // An HTTP(S)_PROXY from the environment must neither reroute nor be measured.
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = LoopbackConnector.ConnectAsync,
        };

        // Timeouts are per request (see RequestRunner), so that a timeout can be told apart from Ctrl+C.
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        foreach (var (name, value) in options.Headers)
        {
            // LoadTestOptions already refused headers that HttpClient would not take.
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        return client;
    }
}
