namespace LlmGateway.OpenAi;

/// <summary>
/// Splits a server-sent event stream into events, whatever the read boundaries: bytes split anywhere
/// (inside a line ending, a UTF-8 character or a BOM), CRLF, LF or lone CR line endings, several
/// <c>data:</c> lines joined with <c>\n</c>, <c>data:</c> with or without its space, comments and
/// other fields skipped (the WHATWG rules). An event whose data lies whole in the current read is
/// handed over in place; only one split across reads, or made of several lines, is copied.
/// A line, or an event's data, longer than the cap ends the framing (<see cref="Overflowed"/>): it is flagged to the
/// handler as one oversized event, and nothing after it is read or buffered, so no provider line is held past the cap.
/// </summary>
internal sealed class SseFramer(ISseEventHandler handler, int maxLineBytes = SseFramer.DefaultMaxLineBytes) : IDisposable
{
    /// <summary>The cap on a line and on an event's data, unless one is given: 4 MB.</summary>
    public const int DefaultMaxLineBytes = 4 * 1024 * 1024;

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private readonly PooledArray<byte> _line = new();
    private readonly PooledArray<byte> _data = new();

    private bool _lineStarted;
    private bool _skipLineFeed;
    private bool _firstLine = true;

    // The pending event's data: lines seen, and, while it lies whole in the current read, where.
    private int _dataLines;
    private long _dataAt = -1;
    private int _dataLength;

    /// <summary>Bytes read so far: the stream offset of the next byte.</summary>
    public long Position { get; private set; }

    /// <summary>Where the event not yet ended began (null between events): its bytes are still undecided.</summary>
    public long? PendingEventStart { get; private set; }

    /// <summary>
    /// The data of the event not yet ended, when its lines so far are whole (no line begun since); empty otherwise. It
    /// may still grow (another data line) or never end (no blank line): a look, not a dispatch.
    /// </summary>
    public ReadOnlySpan<byte> PendingData => _dataLines > 0 && !_lineStarted ? _data.WrittenSpan : default;

    /// <summary>
    /// A line or an event's data passed the cap: the stream can no longer be framed. Everything after is only
    /// counted in <see cref="Position"/> (there is no event pending, so nothing is undecided).
    /// </summary>
    public bool Overflowed { get; private set; }

    public void Append(ReadOnlySpan<byte> input)
    {
        var inputStart = Position;
        if (Overflowed)
        {
            Position += input.Length;
            return;
        }

        var rest = input;
        while (!rest.IsEmpty)
        {
            if (_skipLineFeed)
            {
                // The other half of a CRLF split across reads (an event its CR ended is already out; the LF lies between events).
                _skipLineFeed = false;
                if (rest[0] == (byte)'\n')
                {
                    rest = rest[1..];
                    Position++;
                }

                continue;
            }

            if (!_lineStarted)
            {
                _lineStarted = true;
                if (PendingEventStart is null && rest[0] is not ((byte)'\r' or (byte)'\n'))
                {
                    PendingEventStart = Position;
                }
            }

            var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (_line.Length + (end < 0 ? rest.Length : end) > maxLineBytes)
            {
                Overflow(inputStart + input.Length);
                return;
            }

            if (end < 0)
            {
                _line.Append(rest);
                Position += rest.Length;
                break;
            }

            var consumed = end + 1;
            if (rest[end] == (byte)'\r')
            {
                if (consumed < rest.Length)
                {
                    consumed += rest[consumed] == (byte)'\n' ? 1 : 0;
                }
                else
                {
                    _skipLineFeed = true;
                }
            }

            var lineStart = Position;
            Position += consumed;
            // A line ended by a CR at the end of the read is whole: a blank one ends its event now (not at the provider's
            // next read, which may be long), and an LF that follows is only skipped.
            if (_line.Length == 0)
            {
                Line(rest[..end], lineStart, input, inputStart);
            }
            else
            {
                _line.Append(rest[..end]);
                Line(_line.WrittenSpan, -1, input, inputStart);
            }

            _line.Clear();
            _lineStarted = false;
            rest = rest[consumed..];
            if (Overflowed)
            {
                // The event's data passed the cap while this line was added to it.
                Position = inputStart + input.Length;
                return;
            }
        }

        // The pending event's data must outlive this read.
        if (_dataAt >= 0)
        {
            _data.Clear();
            _data.Append(input.Slice((int)(_dataAt - inputStart), _dataLength));
            _dataAt = -1;
        }
    }

    /// <summary>The stream ended: a last line without its ending, and an event without its blank line, still count.</summary>
    public void Complete()
    {
        if (Overflowed)
        {
            return;
        }

        _skipLineFeed = false;
        if (_lineStarted)
        {
            Line(_line.WrittenSpan, -1, default, Position);
            _line.Clear();
            _lineStarted = false;
        }

        Dispatch(default, Position);
        PendingEventStart = null;
    }

    public void Dispose()
    {
        _line.Dispose();
        _data.Dispose();
    }

    /// <summary>
    /// The cap is passed: the pending event is told as oversized (once), the buffers are let go, and the rest of the
    /// stream is only counted.
    /// </summary>
    private void Overflow(long position)
    {
        var start = PendingEventStart ?? Position;
        Overflowed = true;
        Position = position;
        PendingEventStart = null;
        _line.Dispose();
        _data.Dispose();
        _dataLines = 0;
        _dataAt = -1;
        handler.OnEvent(default, start, position, oversized: true);
    }

    /// <param name="at">The line's stream offset when it lies in <paramref name="input"/>; -1 when it was buffered.</param>
    private void Line(ReadOnlySpan<byte> line, long at, ReadOnlySpan<byte> input, long inputStart)
    {
        if (_firstLine)
        {
            _firstLine = false;
            if (line.StartsWith(Utf8Bom))
            {
                line = line[Utf8Bom.Length..];
                at = at < 0 ? at : at + Utf8Bom.Length;
            }
        }

        if (line.IsEmpty)
        {
            Dispatch(input, inputStart);
            return;
        }

        // Comments (":"), "event", "id", "retry" and unknown fields carry nothing we read.
        if (!line.StartsWith("data"u8) || (line.Length > 4 && line[4] != (byte)':'))
        {
            return;
        }

        var skip = line.Length > 5 && line[5] == (byte)' ' ? 6 : Math.Min(line.Length, 5);
        var value = line[skip..];
        if (_dataLines == 0 && at >= 0)
        {
            _dataAt = at + skip;
            _dataLength = value.Length;
        }
        else
        {
            if (_dataLines == 0)
            {
                _data.Clear();
            }
            else
            {
                if (_dataAt >= 0)
                {
                    // A second data line: the first must now be copied to be joined.
                    _data.Clear();
                    _data.Append(input.Slice((int)(_dataAt - inputStart), _dataLength));
                    _dataAt = -1;
                }

                AppendData("\n"u8);
            }

            AppendData(value);
        }

        _dataLines++;
    }

    private void AppendData(ReadOnlySpan<byte> bytes)
    {
        if (Overflowed)
        {
            return;
        }

        if (_data.Length + bytes.Length > maxLineBytes)
        {
            Overflow(Position);
            return;
        }

        _data.Append(bytes);
    }

    private void Dispatch(ReadOnlySpan<byte> input, long inputStart)
    {
        var start = PendingEventStart ?? Position;
        PendingEventStart = null;
        if (_dataLines == 0)
        {
            return;
        }

        var data = _dataAt >= 0 ? input.Slice((int)(_dataAt - inputStart), _dataLength) : _data.WrittenSpan;
        _dataLines = 0;
        _dataAt = -1;

        // An empty data buffer dispatches nothing (the SSE rules).
        if (!data.IsEmpty)
        {
            handler.OnEvent(data, start, Position, oversized: false);
        }

        _data.Clear();
    }
}
