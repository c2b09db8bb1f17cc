using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Cli.Http;

/// <summary>
/// Sends admin requests and turns every failure into one of two exceptions: the gateway refused
/// (<see cref="GatewayRequestFailedException"/>) or there was no usable answer (<see cref="GatewayUnavailableException"/>).
/// </summary>
internal sealed class AdminApiClient(HttpClient httpClient, ConnectionSettings settings, TextWriter? trace)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The one HttpClient of an invocation. A caller's handler (tests) is left for the caller to dispose.</summary>
    public static HttpClient CreateHttpClient(HttpMessageHandler? handler)
    {
        // Redirects are not followed: HttpClient would replay a POST as a GET, which is never what an admin write wants.
        var client = handler is null
            ? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        client.Timeout = RequestTimeout;
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(CliVersion.ProductName, CliVersion.Current));
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public Task<GatewayResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, jsonBody: null, cancellationToken);

    public Task<GatewayResponse> PostAsync(string path, string jsonBody, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, jsonBody, cancellationToken);

    public Task<GatewayResponse> PutAsync(string path, string jsonBody, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, jsonBody, cancellationToken);

    public Task<GatewayResponse> DeleteAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, path, jsonBody: null, cancellationToken);

    private async Task<GatewayResponse> SendAsync(HttpMethod method, string path, string? jsonBody, CancellationToken cancellationToken)
    {
        var uri = settings.UriFor(path);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        if (jsonBody is not null)
        {
            // Plain "application/json" without a charset parameter: exactly what the gateway's content-type check expects.
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonBody));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        // Only the method and the URL are traced; headers (and so the token) never are.
        trace?.WriteLine($"> {method.Method} {uri.AbsoluteUri}");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            trace?.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"< {(int)response.StatusCode} {response.ReasonPhrase} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms, {body.Length} chars)"));

            if (response.IsSuccessStatusCode)
            {
                return new GatewayResponse(response.StatusCode, body);
            }

            if ((int)response.StatusCode is >= 300 and < 400)
            {
                var location = response.Headers.Location?.ToString() ?? "(no Location header)";
                throw new GatewayRequestFailedException(
                    response.StatusCode,
                    response.ReasonPhrase,
                    new ApiError($"The gateway redirected to {location}; point --url / {ConnectionSettings.UrlVariable} at the final address.", null, null, $"http_{(int)response.StatusCode}", null));
            }

            throw new GatewayRequestFailedException(response.StatusCode, response.ReasonPhrase, TryReadError(body), body);
        }
        catch (HttpRequestException ex)
        {
            throw new GatewayUnavailableException($"Cannot reach the gateway at {settings}: {ex.Message}", "gateway_unreachable", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation the caller did not ask for.
            throw new GatewayUnavailableException(
                string.Create(CultureInfo.InvariantCulture, $"The gateway at {settings} did not answer within {RequestTimeout.TotalSeconds:0} s."),
                "gateway_timeout",
                ex);
        }
    }

    private static ApiError? TryReadError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, CliJsonContext.Default.ApiErrorEnvelope)?.Error;
        }
        catch (JsonException)
        {
            // Not the gateway's error shape (a proxy's HTML page, an empty body): the status alone has to do.
            return null;
        }
    }
}
