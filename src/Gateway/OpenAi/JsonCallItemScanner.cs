namespace LlmGateway.OpenAi;

/// <summary>
/// The Responses API's call items (<c>"type": "…_call"</c>, a function call excepted) of a JSON body too large to keep
/// whole, found as its bytes pass: an answer holding generated images (megabytes of base64 each) would otherwise lose the
/// fees of the tools that made them, read only from a body the gateway keeps. A small tokenizer of JSON strings: a quote
/// inside a string is always escaped, so a string that follows a <c>"type"</c> key and its colon is that key's value.
/// Strings are skipped by a vectorized search; only short ones are kept to compare. A key or type written with escapes
/// (<c>"type"</c>) is not recognized: providers write them plainly.
/// </summary>
internal sealed class JsonCallItemScanner
{
    // Longer than any call item's type; a longer string is no name this looks for.
    private const int MaxName = 48;

    // A hostile provider cannot grow it without bound; far more calls than any answer makes.
    private const int MaxCalls = 10_000;

    private readonly byte[] _string = new byte[MaxName];
    private int _length;
    private bool _inString;
    private bool _escaped;
    private bool _keyIsType;
    private bool _expectTypeValue;
    private bool _valueOfType;
    private List<string>? _calls;

    /// <summary>The call items' types, in order (one per item).</summary>
    public IReadOnlyList<string> Calls => _calls ?? (IReadOnlyList<string>)[];

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            if (_inString)
            {
                i = InString(bytes, i);
                continue;
            }

            switch (bytes[i])
            {
                case (byte)'"':
                    _inString = true;
                    _length = 0;
                    _valueOfType = _expectTypeValue;
                    _expectTypeValue = false;
                    _keyIsType = false;
                    break;
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    break;
                case (byte)':':
                    _expectTypeValue = _keyIsType;
                    _keyIsType = false;
                    break;
                default:
                    _keyIsType = false;
                    _expectTypeValue = false;
                    break;
            }

            i++;
        }
    }

    private int InString(ReadOnlySpan<byte> bytes, int i)
    {
        if (_escaped)
        {
            // An escaped character: no name this looks for has one.
            _escaped = false;
            _length = -1;
            return i + 1;
        }

        var rest = bytes[i..];
        var stop = rest.IndexOfAny((byte)'"', (byte)'\\');
        var run = stop < 0 ? rest : rest[..stop];
        if (_length >= 0)
        {
            if (_length + run.Length <= MaxName)
            {
                run.CopyTo(_string.AsSpan(_length));
                _length += run.Length;
            }
            else
            {
                _length = -1;
            }
        }

        if (stop < 0)
        {
            return bytes.Length;
        }

        if (rest[stop] == (byte)'\\')
        {
            _escaped = true;
        }
        else
        {
            _inString = false;
            EndString();
        }

        return i + stop + 1;
    }

    private void EndString()
    {
        var text = _length >= 0 ? _string.AsSpan(0, _length) : default;
        if (_valueOfType)
        {
            _valueOfType = false;
            if (_length > 0 && text.EndsWith("_call"u8) && !text.SequenceEqual("function_call"u8) && (_calls?.Count ?? 0) < MaxCalls)
            {
                (_calls ??= []).Add(System.Text.Encoding.UTF8.GetString(text));
            }

            return;
        }

        _keyIsType = _length >= 0 && text.SequenceEqual("type"u8);
    }
}
