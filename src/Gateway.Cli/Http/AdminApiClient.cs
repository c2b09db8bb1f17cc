using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Cli.Http;

/// <summary>
/// Sends admin requests and turns every failure into one of two exceptions: the gateway refused
/// (<see cref="GatewayRequestFailedException"/>) or there was no usable answer (<see cref="GatewayUnavailableException"/>).
/// </summary>
/// <param name="time">The clock of a streamed answer's per-read timeout (the system's; a test's).</param>
internal sealed class AdminApiClient(HttpClient httpClient, ConnectionSettings settings, TextWriter? trace, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A request other than a GET has been sent (or started): after an interruption the gateway may have applied it,
    /// and only the caller can tell whether to check before running the command again.
    /// </summary>
    public bool ChangeSent { get; private set; }

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

    /// <summary>
    /// GETs a body of JSON lines (the samples export) and yields it line by line as it arrives, so a large
    /// export never sits in memory whole. Failures surface from the first <c>MoveNextAsync</c>, as the same
    /// exceptions as any other request; a broken or stalled stream surfaces from the read it happens in.
    /// </summary>
    public async IAsyncEnumerable<string> GetLinesAsync(string path, string accept, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var uri = settings.UriFor(path);
        using var request = CreateRequest(HttpMethod.Get, uri, jsonBody: null);
        // The error answers are still JSON, so they stay acceptable next to the lines.
        request.Headers.Accept.ParseAdd(accept);
        request.Headers.Accept.ParseAdd("application/json");

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            // ResponseHeadersRead: the 30 s timeout covers the headers; the body is read as it comes.
            response = await httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Unavailable(ex, cancellationToken) is { } unavailable)
        {
            throw unavailable;
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                string body;
                try
                {
                    body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (Unavailable(ex, cancellationToken) is { } unavailable)
                {
                    throw unavailable;
                }

                TraceResponse(response, started, $"{body.Length} chars");
                throw Failure(response, body);
            }

            TraceResponse(response, started, "streaming");
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);

            // HttpClient's timeout ends with the headers; without one per read a stalled export would hang forever. It
            // runs only while a read waits: the consumer's own time between reads (a pager, a full pipe) is not the gateway's.
            while (true)
            {
                string? line;
                using var idle = new CancellationTokenSource(RequestTimeout, _time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
                try
                {
                    line = await reader.ReadLineAsync(either.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new GatewayUnavailableException(
                        string.Create(CultureInfo.InvariantCulture, $"The gateway at {settings} sent nothing for {RequestTimeout.TotalSeconds:0} s; the answer is incomplete."),
                        "gateway_timeout",
                        ex);
                }
                catch (IOException ex)
                {
                    throw new GatewayUnavailableException($"The connection to the gateway at {settings} broke off; the answer is incomplete: {ex.Message}", "gateway_unreachable", ex);
                }

                if (line is null)
                {
                    yield break;
                }

                yield return line;
            }
        }
    }

    private async Task<GatewayResponse> SendAsync(HttpMethod method, string path, string? jsonBody, CancellationToken cancellationToken)
    {
        var uri = settings.UriFor(path);
        using var request = CreateRequest(method, uri, jsonBody);
        var started = Stopwatch.GetTimestamp();
        ChangeSent |= method != HttpMethod.Get;
        try
        {
            using var response = await httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            TraceResponse(response, started, $"{body.Length} chars");

            if (response.IsSuccessStatusCode)
            {
                return new GatewayResponse(response.StatusCode, body, response.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase));
            }

            throw Failure(response, body);
        }
        catch (Exception ex) when (Unavailable(ex, cancellationToken) is { } unavailable)
        {
            throw unavailable;
        }
    }

    private HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, string? jsonBody)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        if (jsonBody is not null)
        {
            // Plain "application/json" without a charset parameter: exactly what the gateway's content-type check expects.
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonBody));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        // Only the method and the URL are traced; headers (and so the token) never are.
        trace?.WriteLine($"> {method.Method} {uri.AbsoluteUri}");
        return request;
    }

    private void TraceResponse(HttpResponseMessage response, long started, string size) =>
        trace?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"< {(int)response.StatusCode} {response.ReasonPhrase} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms, {size})"));

    /// <summary>A redirect (never followed) or the gateway's refusal, with its error body when it sent one.</summary>
    private static GatewayRequestFailedException Failure(HttpResponseMessage response, string body)
    {
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            var location = response.Headers.Location?.ToString() ?? "(no Location header)";
            return new GatewayRequestFailedException(
                response.StatusCode,
                response.ReasonPhrase,
                new ApiError($"The gateway redirected to {location}; point --url / {ConnectionSettings.UrlVariable} at the final address.", null, null, $"http_{(int)response.StatusCode}", null));
        }

        return new GatewayRequestFailedException(response.StatusCode, response.ReasonPhrase, TryReadError(body), body);
    }

    /// <summary>The connection failed or HttpClient timed out; null for anything else (the caller's own cancellation included).</summary>
    private GatewayUnavailableException? Unavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException ex => new GatewayUnavailableException($"Cannot reach the gateway at {settings}: {ex.Message}", "gateway_unreachable", ex),
        // HttpClient reports its own timeout as a cancellation the caller did not ask for.
        TaskCanceledException ex when !cancellationToken.IsCancellationRequested => new GatewayUnavailableException(
            string.Create(CultureInfo.InvariantCulture, $"The gateway at {settings} did not answer within {RequestTimeout.TotalSeconds:0} s."),
            "gateway_timeout",
            ex),
        _ => null,
    };

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
