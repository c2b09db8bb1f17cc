using System.Globalization;

namespace LlmGateway.MockProvider.Pipeline;

/// <summary>
/// Fault-injection knobs of one request. Each knob comes from header <c>x-mock-&lt;name&gt;</c> or query
/// parameter <c>mock_&lt;name&gt;</c>; the header wins. Empty values count as absent.
/// </summary>
internal sealed record MockKnobs(
    int? TtfbMs,
    int? Chunks,
    int? ChunkDelayMs,
    int? Status,
    string? RetryAfter,
    int? CutAfter,
    bool Hang,
    string? Reply,
    string? Hold,
    int? FailTimes,
    string? Tag,
    string? Schedule = null,
    string? Corrupt = null,
    int? LongLine = null,
    IReadOnlyList<KeyValuePair<string, string>>? ResponseHeaders = null,
    bool EmptyError = false,
    bool CutMidLine = false,
    string? AfterEnd = null,
    int? ErrorAfter = null,
    int? BodyCutAfter = null,
    string? ErrorCode = null,
    string? ErrorParam = null,
    int? ErrorPadding = null,
    bool EndUnfinished = false,
    bool NoDone = false,
    string? AudioTokens = null,
    int? ErrorCutAfter = null,
    int? ErrorStallAfter = null)
{
    /// <summary>Parses every knob; throws <see cref="InvalidRequestException"/> so a typo fails loudly instead of being ignored.</summary>
    public static MockKnobs From(HttpRequest request) => new(
        TtfbMs: Integer(request, "ttfb-ms", min: 0),
        Chunks: Integer(request, "chunks", min: 1),
        ChunkDelayMs: Integer(request, "chunk-delay-ms", min: 0),
        Status: Integer(request, "status", min: 400, max: 599),
        RetryAfter: Raw(request, "retry-after"),
        CutAfter: Integer(request, "cut-after", min: 0),
        Hang: Boolean(request, "hang"),
        Reply: Raw(request, "reply"),
        Hold: Raw(request, "hold"),
        FailTimes: Integer(request, "fail-times", min: 0),
        Tag: Raw(request, "tag"),
        Schedule: Raw(request, "schedule"),
        Corrupt: Corruption(request),
        LongLine: Integer(request, "long-line", min: 1),
        ResponseHeaders: ResponseHeadersKnob.Parse(Raw(request, "response-headers")),
        EmptyError: Boolean(request, "empty-error"),
        CutMidLine: Boolean(request, "cut-mid-line"),
        AfterEnd: AfterEndKnob(request),
        ErrorAfter: Integer(request, "error-after", min: 1),
        BodyCutAfter: Integer(request, "body-cut-after", min: 1),
        ErrorCode: Raw(request, "error-code"),
        ErrorParam: Raw(request, "error-param"),
        ErrorPadding: Integer(request, "error-padding", min: 1),
        EndUnfinished: Boolean(request, "end-unfinished"),
        NoDone: Boolean(request, "no-done"),
        AudioTokens: AudioTokensKnob(request),
        ErrorCutAfter: Integer(request, "error-cut-after", min: 1),
        ErrorStallAfter: Integer(request, "error-stall-after", min: 1));

    /// <summary>The knobs <see cref="FaultInjectionMiddleware"/> already parsed for this request.</summary>
    public static MockKnobs Of(HttpContext context) => context.Features.Get<MockKnobs>() ?? From(context.Request);

    public static string? Raw(HttpRequest request, string name)
    {
        var value = request.Headers["x-mock-" + name].ToString();
        if (value.Length == 0)
        {
            value = request.Query["mock_" + name].ToString();
        }

        return value.Length == 0 ? null : value;
    }

    private static int? Integer(HttpRequest request, string name, int min, int max = int.MaxValue)
    {
        var raw = Raw(request, name);
        if (raw is null)
        {
            return null;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidRequestException($"Mock knob '{name}' must be an integer in [{min}, {max}], got '{raw}'.");
    }

    private static string? AfterEndKnob(HttpRequest request) => Raw(request, "after-end") switch
    {
        null => null,
        var value when value is "hang" or "reset" => value,
        var raw => throw new InvalidRequestException($"Mock knob 'after-end' must be hang or reset, got '{raw}'."),
    };

    /// <summary><c>IN,OUT</c>: audio tokens reported in the usage's details (each a part of the input and output counts).</summary>
    private static string? AudioTokensKnob(HttpRequest request)
    {
        var raw = Raw(request, "audio-tokens");
        if (raw is not null && ParseAudioTokens(raw) is null)
        {
            throw new InvalidRequestException($"Mock knob 'audio-tokens' must be two integers >= 0 as IN,OUT, got '{raw}'.");
        }

        return raw;
    }

    /// <summary>The <c>audio-tokens</c> knob's input and output counts; null when malformed.</summary>
    public static (int Input, int Output)? ParseAudioTokens(string raw)
    {
        var parts = raw.Split(',');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var input)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var output)
            ? (input, output)
            : null;
    }

    private static string? Corruption(HttpRequest request)
    {
        var raw = Raw(request, "corrupt");
        if (raw is not null)
        {
            // Validated now, so a typo fails loudly before the stream starts.
            Streaming.CorruptText.For(raw);
        }

        return raw;
    }

    private static bool Boolean(HttpRequest request, string name) => Raw(request, name)?.ToUpperInvariant() switch
    {
        null or "FALSE" or "0" => false,
        "TRUE" or "1" => true,
        var raw => throw new InvalidRequestException($"Mock knob '{name}' must be true/false/1/0, got '{raw}'."),
    };
}
