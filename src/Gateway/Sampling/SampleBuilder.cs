using System.Text.Json;
using System.Text.Json.Nodes;
using LlmGateway.Sampling.Capture;
using LlmGateway.Sampling.Redaction;
using LlmGateway.Telemetry;
using Microsoft.Extensions.Options;

namespace LlmGateway.Sampling;

/// <summary>
/// Turns a capture into the stored record: parses the bodies (the one place a sampled body is
/// parsed into a tree, off the request path; a body cut at the capture cap is closed by
/// <see cref="JsonPrefix"/>), reassembles the response, redacts every string, and caps the size.
/// </summary>
internal sealed class SampleBuilder(SampleRedactors redactors, IOptions<SamplingOptions> options, IOptions<Proxy.ProxyOptions> proxy, GatewayMetrics metrics)
{
    private readonly int _maxLineBytes = proxy.Value.EffectiveMaxProviderLineBytes;

    public SampleRecord Build(SampleCapture capture) => BuildSerialized(capture).Record;

    /// <summary>The record and the JSON it is stored as (measured for the size cap, so serialized once).</summary>
    public SerializedSample BuildSerialized(SampleCapture capture)
    {
        var client = ParseOrNull(capture.ClientBody.Span, capture.ClientBodyOmitted) as JsonObject;
        // A refused request was never forwarded: no upstream request (the client's body is not one, and its variables
        // would be kept there without the number scan they get in the input).
        var request = capture.Refused ? null
            : capture.UpstreamBody is { Length: > 0 } upstream ? ParseOrNull(upstream.Span, capture.UpstreamBodyOmitted)
            : client?.DeepClone();
        var redactor = redactors.For(capture.Prompt);
        var tally = new RedactionTally();
        var messages = (client?["messages"] ?? client?["input"] ?? client?["prompt"])?.DeepClone();
        if (messages is JsonValue single && single.GetValueKind() == JsonValueKind.String)
        {
            // A plain-string input (a Responses "input": "hi", a completion's "prompt") has no parent to redact it in.
            messages = JsonValue.Create(redactor.Redact(single.GetValue<string>(), tally));
        }
        else
        {
            redactor.RedactJson(messages, tally);
        }

        var input = new SampleInput
        {
            Messages = messages,
            Variables = client?["prompt_variables"]?.DeepClone(),
        };

        var reassembled = ResponseReassembler.Reassemble(capture.ContentType, capture.ResponseBody, capture.ResponseTruncated, _maxLineBytes);
        // The capture's cap cuts a long answer before its end: not a cut stream when the client got it all. Not a stream
        // whose capture holds nothing of the answer (no text, refusal or tool call) and no end: nothing in the record
        // says it is whole.
        var complete = reassembled.Complete
            || (reassembled.Truncated && capture.AnswerWhole && reassembled.Error is null && (!reassembled.Streamed || HasOutput(reassembled)));
        // An answer cut by the capture's cap may end inside a secret too short for its pattern to match: as a request
        // body's cut string (JsonPrefix), its last characters go, in each field the cut may have fallen in (it is marked cut).
        var cut = capture.ResponseTruncated || reassembled.Truncated;
        // One that stopped before its end otherwise (a stream cut, an error, the token limit) may too (15 digits of a card
        // fail Luhn, 39 of an AWS secret's 40): only a trailing run that could begin a secret goes, so a short answer
        // stopped at the limit ("Yes") is scored as it is, not as "…".
        var stoppedEarly = !cut && (!complete || reassembled.Error is not null || StoppedShort(reassembled.FinishReason));
        redactor.RedactJson(request, tally);
        // The client's own data: a card number sent as a JSON number is read too (the rendered copy has it as text).
        redactor.RedactJson(input.Variables, tally, numbers: true);

        var record = new SampleRecord
        {
            Id = capture.Id,
            RequestId = capture.RequestId,
            Timestamp = capture.Timestamp,
            Reason = capture.Reason,
            Environment = capture.Environment,
            Prompt = capture.Prompt,
            Version = capture.Version,
            Variant = capture.Variant,
            PairedWith = capture.PairedWith,
            // Hashed here, off the request path, and only for a sampled request.
            Unit = capture.Stickiness is { } stickiness ? AssignmentUnits.Of(capture.StickinessSalt, stickiness) : null,
            Model = capture.Model,
            Provider = capture.Provider,
            KeyId = capture.KeyId,
            Endpoint = capture.Endpoint,
            Input = input,
            Request = request,
            Response = new SampleResponse
            {
                Status = capture.Status,
                Text = Redact(redactor, CutTail(reassembled.Text, cut, stoppedEarly), tally),
                ToolCalls = reassembled.ToolCalls
                    .Select(call => new SampleToolCall(call.Id, call.Type, call.Name, redactor.Redact(CutTail(call.Arguments, cut, stoppedEarly)!, tally)))
                    .ToArray(),
                FinishReason = reassembled.FinishReason,
                Model = reassembled.Model,
                Refusal = Redact(redactor, CutTail(reassembled.Refusal, cut, stoppedEarly), tally),
                Streamed = reassembled.Streamed,
                Complete = complete,
                // Left mid-stream while the answer was coming, some of it already on its way: the user's stop, not the
                // version's failure. One that left before any of it, or during a stall (a client's timeout while the
                // version was slow), or after a provider's error event, stays a failure.
                ClientStopped = capture.ClientLeftMidAnswer && !complete && reassembled.Streamed && reassembled.Error is null && HasOutput(reassembled),
                // The capture's cap (the size cap adds its own), not an early end: such an answer lost its tail above but is
                // scored as stored; were it marked cut, a stop at the token limit would take its text out of scoring and
                // tilt a version's readings away from its long answers.
                Cut = reassembled.Truncated,
                Error = Redact(redactor, reassembled.Error ?? capture.FailureNote, tally),
            },
            Refused = capture.Refused,
            Usage = capture.Usage,
            LatencyMs = Math.Round(capture.LatencyMs, 2),
            TimeToFirstTokenMs = capture.Usage?.TimeToFirstTokenMs,
            Redactions = tally.Counts.ToDictionary(StringComparer.Ordinal),
            Truncated = capture.ResponseTruncated || reassembled.Truncated || capture.ClientBodyOmitted > 0 || capture.UpstreamBodyOmitted > 0,
        };

        foreach (var (kind, count) in tally.Counts)
        {
            metrics.Redactions.Add(count, new KeyValuePair<string, object?>("kind", kind));
        }

        return SampleSizeCap.Fit(record, options.Value.MaxSampleBytes);
    }

    /// <summary>
    /// The answer was stopped before the model ended it, wherever it was: at its output-token limit (chat's and
    /// completions' "length", the Responses API's incomplete reason "max_output_tokens") or by the provider's content
    /// filter ("content_filter" in both). Its end may be the start of anything, a secret included.
    /// </summary>
    internal static bool StoppedShort(string? finishReason) => finishReason is "length" or "max_output_tokens" or "content_filter";

    private static bool HasOutput(ReassembledResponse response) =>
        !string.IsNullOrEmpty(response.Text) || !string.IsNullOrEmpty(response.Refusal) || response.ToolCalls.Count > 0;

    private static string? Redact(TextRedactor redactor, string? text, RedactionTally tally) =>
        text is null ? null : redactor.Redact(text, tally);

    /// <summary>
    /// The text without its last <see cref="JsonPrefix.SecretTail"/> characters when it was cut, marked; without the
    /// trailing run that could begin a secret when it stopped early (<see cref="SecretLikeTail"/>), marked; else as it is.
    /// </summary>
    internal static string? CutTail(string? text, bool cut, bool stoppedEarly)
    {
        if (string.IsNullOrEmpty(text) || !(cut || stoppedEarly))
        {
            return text;
        }

        var keep = cut ? Math.Max(0, text.Length - JsonPrefix.SecretTail) : text.Length - SecretLikeTail(text);
        return keep == text.Length ? text : string.Concat(text.AsSpan(0, keep), "…");
    }

    /// <summary>
    /// How many of the last characters (at most <see cref="JsonPrefix.SecretTail"/>) could be the start of a secret: a last
    /// word with an <c>@</c> in it (an address), a run of key characters (letters, digits, <c>+/=_-</c>) at least 12 long
    /// with a digit or a symbol in it (a key, a token, an AWS secret; not a word), or a run of digits, spaces and dashes
    /// holding at least 6 digits (a card, an account).
    /// 0 when neither ends the text.
    /// </summary>
    internal static int SecretLikeTail(ReadOnlySpan<char> text)
    {
        // An address cut before its domain ends ("jane.doe@example.c") matches no email pattern: its whole word goes.
        var word = text.Length - 1 - text.LastIndexOfAny(' ', '\n', '\t');
        if (word <= JsonPrefix.SecretTail && text[^word..].Contains('@'))
        {
            return word;
        }

        var key = 0;
        var keyLike = false;
        while (key < text.Length && key < JsonPrefix.SecretTail && text[^(key + 1)] is var c && (char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '_' or '-'))
        {
            keyLike |= !char.IsAsciiLetter(c);
            key++;
        }

        var number = 0;
        var digits = 0;
        while (number < text.Length && number < JsonPrefix.SecretTail && text[^(number + 1)] is var c && (char.IsAsciiDigit(c) || c is ' ' or '-'))
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
            number++;
        }

        return Math.Max(key >= 12 && keyLike ? key : 0, digits >= 6 ? number : 0);
    }

    private static JsonNode? ParseOrNull(ReadOnlySpan<byte> json, int omitted)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        if (omitted > 0)
        {
            // Cut at the capture cap: closed as JSON, the cut marked where it fell.
            return JsonPrefix.Close(json, SampleSizeCap.BytesMarker(omitted));
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            // The gateway only forwards valid JSON, so this is a client body it refused: keep nothing.
            return null;
        }
    }
}
