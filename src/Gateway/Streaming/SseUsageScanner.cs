using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Streaming;

/// <summary>
/// Reads an OpenAI-style SSE stream incrementally, whatever the read boundaries: lines split
/// anywhere (even inside a UTF-8 character), LF or CRLF endings, <c>data:</c> with or without a
/// space, comments and <c>event:</c> lines. From the <c>data:</c> JSON it keeps the generated text,
/// the finish reason, the response model and the <c>usage</c> object, and notes <c>[DONE]</c>.
/// It observes only: callers write the bytes to the client first and scan after.
/// </summary>
internal sealed class SseUsageScanner : IDisposable
{
    // A line longer than this is not an SSE event we can use; it is skipped, not buffered without end.
    private const int MaxLineBytes = 4 * 1024 * 1024;

    private static ReadOnlySpan<byte> DataField => "data:"u8;

    private static ReadOnlySpan<byte> Done => "[DONE]"u8;

    private readonly StringBuilder _text = new();
    private byte[] _line = ArrayPool<byte>.Shared.Rent(1024);
    private int _lineLength;
    private bool _lineTooLong;

    public string Text => _text.ToString();

    public int TextLength => _text.Length;

    public string? FinishReason { get; private set; }

    public string? Model { get; private set; }

    public StreamedUsage? Usage { get; private set; }

    public bool SawDone { get; private set; }

    public int DataEvents { get; private set; }

    /// <summary>Data lines whose JSON could not be read (a provider bug, or a truncated stream).</summary>
    public int MalformedEvents { get; private set; }

    /// <summary>True once a data event carried an <c>error</c> object (a provider error mid-stream).</summary>
    public bool SawError { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Buffer(bytes);
                return;
            }

            Buffer(bytes[..newline]);
            CompleteLine();
            bytes = bytes[(newline + 1)..];
        }
    }

    /// <summary>Reads a whole non-streamed response body: the same fields, from <c>choices[].message</c>.</summary>
    public void ReadBody(ReadOnlySpan<byte> json)
    {
        try
        {
            ReadEvent(json);
        }
        catch (JsonException)
        {
            MalformedEvents++;
        }
    }

    /// <summary>Handles a last line that had no newline (a stream cut mid-line is still scanned).</summary>
    public void Complete()
    {
        if (_lineLength > 0 || _lineTooLong)
        {
            CompleteLine();
        }
    }

    public void Dispose()
    {
        var line = _line;
        _line = [];
        if (line.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    private void Buffer(ReadOnlySpan<byte> bytes)
    {
        if (_lineTooLong)
        {
            return;
        }

        if (_lineLength + bytes.Length > MaxLineBytes)
        {
            _lineTooLong = true;
            return;
        }

        if (_lineLength + bytes.Length > _line.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_line.Length * 2, _lineLength + bytes.Length));
            _line.AsSpan(0, _lineLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_line);
            _line = bigger;
        }

        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += bytes.Length;
    }

    private void CompleteLine()
    {
        var line = _line.AsSpan(0, _lineLength);
        var tooLong = _lineTooLong;
        _lineLength = 0;
        _lineTooLong = false;
        if (tooLong)
        {
            MalformedEvents++;
            return;
        }

        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        // Only "data:" lines matter; comments (":"), "event:", "id:" and blank lines do not.
        if (!line.StartsWith(DataField))
        {
            return;
        }

        var payload = line[DataField.Length..];
        if (!payload.IsEmpty && payload[0] == (byte)' ')
        {
            payload = payload[1..];
        }

        if (payload.SequenceEqual(Done))
        {
            SawDone = true;
            return;
        }

        DataEvents++;
        try
        {
            ReadEvent(payload);
        }
        catch (JsonException)
        {
            MalformedEvents++;
        }
    }

    private void ReadEvent(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            MalformedEvents++;
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                ReadChoices(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    Usage = UsageReader.Read(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                // Every chunk repeats the model: allocate its string once.
                if (reader.TokenType == JsonTokenType.String && (Model is null || !reader.ValueTextEquals(Model)))
                {
                    Model = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                SawError = true;
                reader.Read();
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    ReadDelta(ref reader);
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    // Legacy completions stream their text here.
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        AppendText(ref reader);
                    }
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        FinishReason = reader.GetString();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    /// <summary>Appends a string token's text without allocating a string for it (the usual small delta).</summary>
    private void AppendText(ref Utf8JsonReader reader)
    {
        var escapedLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (escapedLength > 512)
        {
            _text.Append(reader.GetString());
            return;
        }

        // Unescaped text never has more chars than its escaped UTF-8 bytes.
        Span<char> chars = stackalloc char[512];
        var written = reader.CopyString(chars);
        _text.Append(chars[..written]);
    }

    private void ReadDelta(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    AppendText(ref reader);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }
}
