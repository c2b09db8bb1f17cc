using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Runs a case through the gateway: a non-streamed <c>POST /v1/chat/completions</c> with model
/// <c>prompt:&lt;name&gt;</c>, the case's messages and <c>prompt_variables</c>, the repeat's seed, and
/// <c>X-Prompt-Version</c> pinning the version. Reads the answer, the cost/token headers and the served version.
/// Failures are classified (429/408/5xx/connection/timeout are transient) but not retried here; see
/// <see cref="RetryingCaseExecutor"/>.
/// </summary>
internal sealed class GatewayCaseExecutor : ICaseExecutor
{
    public const string PinHeader = "X-Prompt-Version";
    public const string ServedPromptHeader = "X-Prompt-Name";
    public const string CostHeader = "X-Gateway-Cost-USD";
    public const string OutputTokensHeader = "X-Gateway-Output-Tokens";

    private const int MaxErrorChars = 300;

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string? _apiKey;

    public GatewayCaseExecutor(HttpClient http, GatewayExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _endpoint = new Uri(options.BaseUrl.ToString().TrimEnd('/') + "/v1/chat/completions", UriKind.Absolute);
        _apiKey = options.ApiKey;
    }

    public async Task<CaseExecution> ExecuteAsync(CaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(BuildBody(request)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation(PinHeader, request.Target.Version.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(_apiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        var stopwatch = Stopwatch.StartNew();
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return CaseExecution.Failed($"connection failed: {ex.Message}", transient: true);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout surfaces as a cancellation we did not ask for.
            return CaseExecution.Failed($"timed out: {ex.Message}", transient: true);
        }

        var latency = stopwatch.Elapsed.TotalMilliseconds;
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var transient = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || status >= 500;
                return CaseExecution.Failed($"gateway answered {status.ToString(CultureInfo.InvariantCulture)}: {ErrorText(body)}", transient, RetryAfter(response));
            }

            var servedVersion = Header(response, PinHeader) is { } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;

            // Scoring another version's answer as this one's would make the comparison meaningless.
            if (servedVersion is { } served && served != request.Target.Version)
            {
                return CaseExecution.Failed(
                    $"the gateway served version {served.ToString(CultureInfo.InvariantCulture)}, not the pinned {request.Target.Version.ToString(CultureInfo.InvariantCulture)} (does the key have the pin permission?)");
            }

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
    }

    /// <summary>Parses <c>X-Gateway-Cost-USD</c>; the gateway sends <c>unknown</c> for a model without a price, which is not zero.</summary>
    public static decimal? ParseCost(string? header) =>
        header is not null && decimal.TryParse(header, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var cost)
            ? cost
            : null;

    internal static byte[] BuildBody(CaseRequest request)
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
            writer.WriteBoolean("stream", false);
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
            output = message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : string.Empty;
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                var list = new List<ToolCall>();
                foreach (var call in calls.EnumerateArray())
                {
                    if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                    {
                        var name = function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : string.Empty;
                        var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : string.Empty;
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

    private static string ErrorText(byte[] body)
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
                return Truncate(message.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Not OpenAI's error shape: fall through to the raw text.
        }

        return Truncate(System.Text.Encoding.UTF8.GetString(body));
    }

    private static string Truncate(string text) => text.Length <= MaxErrorChars ? text : string.Concat(text.AsSpan(0, MaxErrorChars), "…");

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
