using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Runs a case through the gateway: a <c>POST /v1/chat/completions</c> with model <c>prompt:&lt;name&gt;</c>, the
/// case's messages and <c>prompt_variables</c>, the repeat's seed, and <c>X-Prompt-Version</c> pinning the version.
/// Non-streamed, it reads the answer and the cost/token headers; with <see cref="GatewayExecutorOptions.Stream"/>, it
/// reads the SSE stream (<see cref="SseCompletionReader"/>) and the gateway's <c>: gateway-usage</c> comment. Either
/// way it checks the served version. Failures are classified (429/408/5xx/connection/timeout/cut stream are
/// transient) but not retried here; see <see cref="RetryingCaseExecutor"/>.
/// </summary>
internal sealed class GatewayCaseExecutor : ICaseExecutor
{
    public const string PinHeader = "X-Prompt-Version";
    public const string ServedPromptHeader = "X-Prompt-Name";
    public const string CostHeader = "X-Gateway-Cost-USD";
    public const string OutputTokensHeader = "X-Gateway-Output-Tokens";

    public const string EventStreamMediaType = "text/event-stream";

    private const int MaxErrorChars = 300;

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;
    private readonly bool _stream;

    public GatewayCaseExecutor(HttpClient http, GatewayExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _endpoint = new Uri(options.BaseUrl.ToString().TrimEnd('/') + "/v1/chat/completions", UriKind.Absolute);
        _apiKey = options.ApiKey;
        _stream = options.Stream;
    }

    public async Task<CaseExecution> ExecuteAsync(CaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(BuildBody(request, _stream)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation(PinHeader, request.Target.Version.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(_apiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        var stopwatch = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            // A stream is read as it arrives (its first token, its end); a completion is buffered whole.
            response = await _http.SendAsync(message, _stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            // No answer at all, as opposed to a connection that broke after the gateway had the request.
            var unreachable = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
            return CaseExecution.Failed($"connection failed: {ex.Message}", transient: true) with { Unreachable = unreachable };
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout surfaces as a cancellation we did not ask for.
            return CaseExecution.Failed($"timed out: {ex.Message}", transient: true);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var transient = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || status >= 500;
                var (text, code) = ErrorOf(await ReadErrorBodyAsync(response, stopwatch, cancellationToken).ConfigureAwait(false));
                return CaseExecution.Failed($"gateway answered {status.ToString(CultureInfo.InvariantCulture)}: {text}", transient, RetryAfter(response)) with
                {
                    Status = status,
                    ErrorCode = code,
                };
            }

            var servedVersion = Header(response, PinHeader) is { } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;

            // Scoring another version's answer as this one's would make the comparison meaningless, and so would scoring
            // an answer that does not say which version it came from (a base URL that is not a gateway, a proxy that
            // drops the header): a run made of such answers could pass for a version it never measured.
            if (servedVersion is not { } served)
            {
                return CaseExecution.Failed(
                    $"the answer does not say which version served it (no {PinHeader} header): is the base URL a gateway serving '{request.Target.Name}'?");
            }

            if (served != request.Target.Version)
            {
                return CaseExecution.Failed(
                    $"the gateway served version {served.ToString(CultureInfo.InvariantCulture)}, not the pinned {request.Target.Version.ToString(CultureInfo.InvariantCulture)} (does the key have the pin permission?)");
            }

            return _stream
                ? await ReadStreamAsync(response, servedVersion, stopwatch, cancellationToken).ConfigureAwait(false)
                : await ReadCompletionAsync(response, servedVersion, stopwatch, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<CaseExecution> ReadCompletionAsync(HttpResponseMessage response, int? servedVersion, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return CaseExecution.Failed($"connection failed: {ex.Message}", transient: true);
        }

        var latency = stopwatch.Elapsed.TotalMilliseconds;
        if (!TryParseCompletion(body, out var output, out var toolCalls, out var parseError))
        {
            return CaseExecution.Failed(parseError);
        }

        return new CaseExecution
        {
            Output = output,
            ToolCalls = toolCalls,
            LatencyMs = latency,
            CostUsd = ParseCost(Header(response, CostHeader)),
            OutputTokens = Header(response, OutputTokensHeader) is { } t && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) ? tokens : null,
            ServedPrompt = Header(response, ServedPromptHeader),
            ServedVersion = servedVersion,
        };
    }

    /// <summary>
    /// Reads the SSE answer to its end: the cost and tokens come last, in the gateway's usage comment, and the latency
    /// is the time to the end of the stream. A stream that does not end well is a failed call, never a partial answer.
    /// </summary>
    private async Task<CaseExecution> ReadStreamAsync(HttpResponseMessage response, int? servedVersion, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, EventStreamMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return CaseExecution.Failed($"the gateway answered a streamed request with {mediaType ?? "no content type"}, not {EventStreamMediaType}");
        }

        using var timeout = RestOfTimeout(stopwatch, cancellationToken);
        StreamedCompletion streamed;
        try
        {
            var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                streamed = await SseCompletionReader.ReadAsync(body, stopwatch, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CaseExecution.Failed($"timed out reading the stream after {stopwatch.Elapsed.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s", transient: true);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return CaseExecution.Failed($"the stream broke: {ex.Message}", transient: true);
        }

        var latency = stopwatch.Elapsed.TotalMilliseconds;
        if (!streamed.Succeeded)
        {
            // The status was 200: the failure is the event's (its code, e.g. upstream_stream_cut), not the response's.
            return CaseExecution.Failed(streamed.Error!, streamed.Transient) with { ErrorCode = streamed.ErrorCode };
        }

        return new CaseExecution
        {
            Output = streamed.Output,
            ToolCalls = streamed.ToolCalls,
            LatencyMs = latency,
            CostUsd = streamed.Usage?.CostUsd,
            OutputTokens = streamed.Usage?.OutputTokens is { } tokens && tokens <= int.MaxValue ? (int)tokens : null,
            ServedPrompt = Header(response, ServedPromptHeader),
            ServedVersion = servedVersion,
        };
    }

    /// <summary>
    /// HttpClient.Timeout stops applying once the headers are in (a streamed request reads them alone): what is read
    /// after them, a stream or an error's body, gets the rest of it, so a gateway that stalls mid-body ends the call.
    /// </summary>
    private CancellationTokenSource RestOfTimeout(Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_http.Timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(_http.Timeout - stopwatch.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        return timeout;
    }

    private async Task<byte[]> ReadErrorBodyAsync(HttpResponseMessage response, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        // Without a deadline a streamed call whose error body stalled waited forever (only the caller's token applied).
        using var timeout = RestOfTimeout(stopwatch, cancellationToken);
        try
        {
            return await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status already says it failed; a body lost on the way only loses the message.
            return [];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The same: the status is the failure, and the message did not come in time.
            return System.Text.Encoding.UTF8.GetBytes("(the error's body did not arrive within the call's timeout)");
        }
    }

    /// <summary>Parses <c>X-Gateway-Cost-USD</c>; the gateway sends <c>unknown</c> for a model without a price, which is not zero.</summary>
    public static decimal? ParseCost(string? header) =>
        header is not null && decimal.TryParse(header, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var cost)
            ? cost
            : null;

    internal static byte[] BuildBody(CaseRequest request, bool stream = false)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", $"prompt:{request.Target.Name}");
            writer.WritePropertyName("messages");
            if (request.Case.Messages is { } messages)
            {
                messages.WriteTo(writer);
            }
            else
            {
                // The bundle's template supplies the conversation; the API still wants the field.
                writer.WriteStartArray();
                writer.WriteEndArray();
            }

            if (request.Case.Vars is { } vars)
            {
                writer.WriteStartObject("prompt_variables");
                foreach (var (name, value) in vars)
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteNumber("seed", request.Seed);
            // No stream_options: the gateway asks the provider for usage itself and reports it in its usage comment.
            writer.WriteBoolean("stream", stream);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryParseCompletion(byte[] body, out string output, out IReadOnlyList<ToolCall> toolCalls, out string error)
    {
        output = string.Empty;
        toolCalls = [];
        error = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                error = "the response has no choices";
                return false;
            }

            if (!choices[0].TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            {
                error = "the response's choices[0] has no message";
                return false;
            }

            // content is null when the model only called tools.
            // Leniently: a lone surrogate escape or invalid UTF-8 is one bad character (U+FFFD), not a failed call.
            output = message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? Text(content) : string.Empty;
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                var list = new List<ToolCall>();
                foreach (var call in calls.EnumerateArray())
                {
                    if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                    {
                        var name = function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? Text(n) : string.Empty;
                        var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? Text(a) : string.Empty;
                        list.Add(new ToolCall(name, arguments));
                    }
                }

                toolCalls = list;
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = $"the response is not valid JSON: {ex.Message}";
            return false;
        }
    }

    /// <summary>The message and the <c>code</c> (or else <c>type</c>) of OpenAI's error shape; the raw text otherwise.</summary>
    private static (string Message, string? Code) ErrorOf(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()
                    : error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                    : null;
                return (Truncate(Text(message)), code);
            }
        }
        catch (JsonException)
        {
            // Not OpenAI's error shape: fall through to the raw text.
        }

        return (Truncate(System.Text.Encoding.UTF8.GetString(body)), null);
    }

    private static string Truncate(string text) => TextCut.Truncate(text, MaxErrorChars);

    private static string Text(JsonElement element) => LenientJsonText.WithoutLoneSurrogates(LenientJsonText.Read(element));

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? values.FirstOrDefault()?.Trim()
            : null;
}
