namespace LlmGateway.OpenAi;

/// <summary>
/// The one incremental reader of OpenAI-compatible responses: a server-sent event stream fed in
/// reads of any size (<see cref="AppendSse"/>, then <see cref="CompleteSse"/>), or a whole JSON body
/// (<see cref="ReadJson"/>), of chat completions, legacy completions or the Responses API. Each event
/// is parsed once, and what it says goes to the observers. It only observes: it never changes or
/// holds the bytes, and nothing a provider sends makes it throw — what it cannot read is counted.
/// </summary>
internal sealed class OpenAiResponseReader : ISseEventHandler, IDisposable
{
    private static ReadOnlySpan<byte> Done => "[DONE]"u8;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly int _maxLineBytes;
    private readonly OpenAiEventReader _events;

    // Made by the first stream bytes: a JSON body (most non-streamed responses) never needs one.
    private SseFramer? _framer;

    public OpenAiResponseReader(params IOpenAiObserver[] observers)
        : this(SseFramer.DefaultMaxLineBytes, observers)
    {
    }

    /// <param name="maxLineBytes">The cap on one line (and one event's data) of a stream; past it, the stream is <see cref="Overflowed"/>.</param>
    /// <param name="observers">Told what each event says.</param>
    public OpenAiResponseReader(int maxLineBytes, params IOpenAiObserver[] observers)
    {
        _maxLineBytes = maxLineBytes;
        _events = new OpenAiEventReader(observers);
    }

    /// <summary>The cap on one line it was made with.</summary>
    public int MaxLineBytes => _maxLineBytes;

    /// <summary>Stream bytes read so far.</summary>
    public long Position => _framer?.Position ?? 0;

    /// <summary>Where the event not yet ended began: bytes from there on are still undecided.</summary>
    public long? PendingEventStart => _framer?.PendingEventStart;

    /// <summary>Data events seen, <c>[DONE]</c> excluded.</summary>
    public int DataEvents { get; private set; }

    /// <summary>JSON payloads parsed: one per data event, one per body, never more.</summary>
    public int Parses => _events.Parses;

    /// <summary>Events that were not a whole JSON object, or too large: they reached the client, not the observers.</summary>
    public int MalformedEvents { get; private set; }

    /// <summary>Events read with U+FFFD in place of invalid UTF-8 or a lone surrogate escape.</summary>
    public int InvalidTextEvents { get; private set; }

    public bool SawDone { get; private set; }

    /// <summary>
    /// The stream said it is over: <c>[DONE]</c>, the Responses API's <c>response.completed</c> or <c>response.incomplete</c>,
    /// or chat's <c>include_usage</c> chunk (only <c>[DONE]</c> follows it).
    /// </summary>
    public bool SawEnd => _events.Ended;

    /// <summary>
    /// The event not yet ended (its blank line still to come) already says the stream is over, in whole lines: a
    /// <c>data: [DONE]</c> line, a whole <c>response.completed</c> or <c>response.incomplete</c> event, or a whole
    /// <c>include_usage</c> chunk. Looked at, not read: its effects wait for <see cref="CompleteSse"/>. For a stream that
    /// stalled or broke before its last blank line; asked once, when an attempt ends.
    /// </summary>
    public bool EndPending
    {
        get
        {
            var data = _framer is null ? default : _framer.PendingData;
            return !data.IsEmpty && (data.Trim(" \t"u8).SequenceEqual(Done) || OpenAiEventReader.EndsStream(data));
        }
    }

    /// <summary>The stream sent a line (or an event) longer than the cap: nothing after it was read.</summary>
    public bool Overflowed => _framer?.Overflowed == true;

    /// <summary>Why the last malformed event or body could not be read.</summary>
    public string? LastProblem => _events.LastProblem;

    public void AppendSse(ReadOnlySpan<byte> bytes) => (_framer ??= new SseFramer(this, _maxLineBytes)).Append(bytes);

    /// <summary>The stream ended: an event cut before its blank line is still read if its JSON is whole.</summary>
    public void CompleteSse() => _framer?.Complete();

    /// <summary>Reads a whole (non-streamed) JSON body; a UTF-8 byte order mark before it is skipped, as the framer skips one before a stream.</summary>
    public OpenAiEventFlags ReadJson(ReadOnlySpan<byte> body)
    {
        var start = body.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        return Count(_events.Read(body[start..], start, body.Length));
    }

    void ISseEventHandler.OnEvent(ReadOnlySpan<byte> data, long start, long end, bool oversized)
    {
        if (oversized)
        {
            DataEvents++;
            _events.ReadSentinel(Count(OpenAiEventFlags.Malformed), start, end);
            return;
        }

        if (data.Trim(" \t"u8).SequenceEqual(Done))
        {
            SawDone = true;
            _events.ReadSentinel(OpenAiEventFlags.Done, start, end);
            return;
        }

        DataEvents++;
        Count(_events.Read(data, start, end));
    }

    public void Dispose()
    {
        _framer?.Dispose();
        _events.Dispose();
    }

    /// <summary>Ready to read another response with the same observers, as if new (their own state is theirs to reset).</summary>
    public void Restart()
    {
        _framer?.Dispose();
        _framer = null;
        _events.Restart();
        DataEvents = 0;
        MalformedEvents = 0;
        InvalidTextEvents = 0;
        SawDone = false;
    }

    private OpenAiEventFlags Count(OpenAiEventFlags flags)
    {
        if ((flags & OpenAiEventFlags.Malformed) != 0)
        {
            MalformedEvents++;
        }

        if ((flags & OpenAiEventFlags.InvalidText) != 0)
        {
            InvalidTextEvents++;
        }

        return flags;
    }
}
