using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmGateway.Eval.Scoring;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Reads a streamed chat completion as the gateway sends it: SSE events of <c>chat.completion.chunk</c>s, then
/// <c>data: [DONE]</c>, then the gateway's <c>: gateway-usage {json}</c> comment. It reassembles the text, the tool
/// calls (by index) and the finish reason of choice 0, and reads the stream to its end, since the usage comes last.
/// </summary>
/// <remarks>
/// Only a stream that reached <c>[DONE]</c> without an error event is an answer. The gateway ends a stream the provider
/// cut or stalled, or that ran out of time, with an error event (<c>upstream_stream_cut</c>/<c>_stalled</c>,
/// <c>stream_timeout</c>); a stream that simply stops, or
/// whose usage says <c>cut</c>, is cut too. Scoring the partial text of any of them would score an answer no client got
/// whole. Events follow the SSE rules: lines end with LF, CRLF or CR; an event ends at a blank line (one left
/// unterminated at the end is dropped); several <c>data:</c> lines join with LF; lines starting with <c>:</c> are comments.
/// </remarks>
internal sealed class SseCompletionReader
{
    private const string Done = "[DONE]";

    private readonly Stopwatch _clock;
    private readonly StringBuilder _text = new();
    private readonly SortedDictionary<int, (StringBuilder Name, StringBuilder Arguments)> _toolCalls = [];
    private readonly StringBuilder _data = new();
    private bool _hasData;
    private string? _eventType;
    private string? _finishReason;
    private bool _done;
    private StreamedUsage? _usage;
    private double? _firstTokenMs;
    private string? _error;
    private string? _errorCode;
    private bool _transient;
    private string? _unreadable;

    private SseCompletionReader(Stopwatch clock) => _clock = clock;

    /// <summary>Reads <paramref name="body"/> to its end.</summary>
    /// <param name="clock">Started when the request was sent: the time to the first token is read from it.</param>
    /// <exception cref="IOException">The connection broke while reading (the caller's failure to classify).</exception>
    public static async Task<StreamedCompletion> ReadAsync(Stream body, Stopwatch clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(clock);
        var reader = new SseCompletionReader(clock);
        using var lines = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            reader.Accept(line);
        }

        return reader.Finish();
    }

    private void Accept(string line)
    {
        if (line.Length == 0)
        {
            Dispatch();
            return;
        }

        if (line[0] == ':')
        {
            AcceptComment(line.AsSpan(1).TrimStart(' '));
            return;
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var field = colon < 0 ? line.AsSpan() : line.AsSpan(0, colon);
        var value = colon < 0 ? [] : line.AsSpan(colon + 1);
        if (value.Length > 0 && value[0] == ' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"))
        {
            if (_hasData)
            {
                _data.Append('\n');
            }

            _data.Append(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"))
        {
            _eventType = value.ToString();
        }

        // id and retry mean nothing for one request; unknown fields are ignored, as the SSE rules say.
    }

    private void AcceptComment(ReadOnlySpan<char> comment)
    {
        if (comment.StartsWith(StreamedUsage.CommentName, StringComparison.Ordinal)
            && comment.Length > StreamedUsage.CommentName.Length
            && comment[StreamedUsage.CommentName.Length] == ' ')
        {
            // An unreadable usage comment leaves the cost unknown (no value), never zero.
            _usage = StreamedUsage.Parse(comment[(StreamedUsage.CommentName.Length + 1)..].ToString()) ?? _usage;
        }
    }

    private void Dispatch()
    {
        var eventType = _eventType;
        var hasData = _hasData;
        var data = hasData ? _data.ToString() : null;
        _data.Clear();
        _hasData = false;
        _eventType = null;

        // After an error event the answer is lost whatever follows; after [DONE] nothing more belongs to it.
        if (data is null || _error is not null || _done)
        {
            return;
        }

        if (data == Done)
        {
            _done = true;
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                FailWith(error);
                return;
            }

            if (eventType == "error")
            {
                Fail("the stream sent an error event", code: null, transient: true);
                return;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    AcceptChoice(choice);
                }
            }
        }
        catch (JsonException ex)
        {
            // Not decided yet: the gateway's error event after a cut opens with a blank line, which ends the half-written
            // event before it, so a torn event followed by an error event is a cut, not a corrupt stream.
            _unreadable ??= $"the stream carried an event that is not JSON: {ex.Message}";
        }
    }

    private void AcceptChoice(JsonElement choice)
    {
        // The gateway's calls ask for one choice; another index would be another answer.
        if (choice.ValueKind != JsonValueKind.Object
            || (choice.TryGetProperty("index", out var index) && !(index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var n) && n == 0)))
        {
            return;
        }

        if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
        {
            // Leniently: a chunk can end inside an emoji, escaping half of its pair; the next chunk's half completes it.
            if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && LenientJsonText.Read(content) is { Length: > 0 } text)
            {
                FirstToken();
                _text.Append(text);
            }

            if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                var position = 0;
                foreach (var call in calls.EnumerateArray())
                {
                    AcceptToolCall(call, position++);
                }
            }
        }

        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
        {
            _finishReason = finish.GetString();
        }
    }

    private void AcceptToolCall(JsonElement call, int position)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // The first fragment of a call carries its index, id and name; later ones only the index and more arguments.
        var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : position;
        if (!_toolCalls.TryGetValue(index, out var parts))
        {
            parts = (new StringBuilder(), new StringBuilder());
            _toolCalls[index] = parts;
        }

        FirstToken();
        if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
        {
            if (function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                parts.Name.Append(LenientJsonText.Read(name));
            }

            if (function.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.String)
            {
                parts.Arguments.Append(LenientJsonText.Read(arguments));
            }
        }
    }

    private void FirstToken() => _firstTokenMs ??= _clock.Elapsed.TotalMilliseconds;

    private void FailWith(JsonElement error)
    {
        string? message = null, code = null, type = null;
        if (error.ValueKind == JsonValueKind.Object)
        {
            message = Text(error, "message");
            code = Text(error, "code");
            type = Text(error, "type");
        }
        else if (error.ValueKind == JsonValueKind.String)
        {
            message = error.GetString();
        }

        // A bad request will not get better on retry; a cut, a stall or a server error may.
        Fail($"the stream ended with an error event: {(string.IsNullOrWhiteSpace(message) ? "(no message)" : message)}", code ?? type, transient: type != "invalid_request_error");
    }

    private void Fail(string error, string? code, bool transient)
    {
        _error = error;
        _errorCode = code;
        _transient = transient;
    }

    private StreamedCompletion Finish()
    {
        var completion = new StreamedCompletion
        {
            // Halves of pairs the chunks never completed are replaced, so no report has to carry them.
            Output = LenientJsonText.WithoutLoneSurrogates(_text.ToString()),
            ToolCalls = [.. _toolCalls.Values.Select(parts => new ToolCall(
                LenientJsonText.WithoutLoneSurrogates(parts.Name.ToString()),
                LenientJsonText.WithoutLoneSurrogates(parts.Arguments.ToString())))],
            FinishReason = _finishReason,
            Usage = _usage,
            TimeToFirstTokenMs = _firstTokenMs,
        };

        if (_error is not null)
        {
            return completion with { Error = _error, ErrorCode = _errorCode, Transient = _transient };
        }

        if (!_done)
        {
            return completion with { Error = "the stream ended before [DONE]: it was cut", Transient = true };
        }

        if (_unreadable is not null)
        {
            return completion with { Error = _unreadable };
        }

        if (_usage is { Cut: true })
        {
            return completion with { Error = "the gateway billed the stream as cut", Transient = true };
        }

        return completion;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
