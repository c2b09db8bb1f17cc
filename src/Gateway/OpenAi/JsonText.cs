using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace LlmGateway.OpenAi;

/// <summary>
/// Decodes a JSON string token without ever throwing: <see cref="Utf8JsonReader.GetString"/> and
/// <c>CopyString</c> throw <see cref="InvalidOperationException"/> on invalid UTF-8 and on lone
/// surrogate escapes (<c>"\ud800"</c>), which providers do send (a model may split an emoji between
/// tokens). Those become U+FFFD, as a decoder would, and the caller is told.
/// </summary>
internal static class JsonText
{
    /// <summary>Decodes the current string token into <paramref name="destination"/> (at least <c>ValueSpan.Length</c> long).</summary>
    /// <returns>The chars written; <paramref name="invalid"/> is set when something had to be replaced.</returns>
    public static int Decode(ref Utf8JsonReader reader, Span<char> destination, ref bool invalid)
    {
        // Unescaped text never has more chars than its escaped UTF-8 bytes.
        var raw = reader.ValueSpan;
        return reader.ValueIsEscaped ? Unescape(raw, destination, ref invalid) : Transcode(raw, destination, ref invalid);
    }

    private static int Transcode(ReadOnlySpan<byte> utf8, Span<char> destination, ref bool invalid)
    {
        if (Utf8.ToUtf16(utf8, destination, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done)
        {
            return written;
        }

        invalid = true;
        Utf8.ToUtf16(utf8, destination, out _, out written, replaceInvalidSequences: true);
        return written;
    }

    // The reader has already checked the escapes' syntax; only their meaning can be wrong.
    private static int Unescape(ReadOnlySpan<byte> source, Span<char> destination, ref bool invalid)
    {
        var written = 0;
        while (true)
        {
            var backslash = source.IndexOf((byte)'\\');
            written += Transcode(backslash < 0 ? source : source[..backslash], destination[written..], ref invalid);
            if (backslash < 0 || backslash + 1 >= source.Length)
            {
                return written;
            }

            var escape = source[backslash + 1];
            source = source[(backslash + 2)..];
            switch (escape)
            {
                case (byte)'n':
                    destination[written++] = '\n';
                    break;
                case (byte)'r':
                    destination[written++] = '\r';
                    break;
                case (byte)'t':
                    destination[written++] = '\t';
                    break;
                case (byte)'b':
                    destination[written++] = '\b';
                    break;
                case (byte)'f':
                    destination[written++] = '\f';
                    break;
                case (byte)'u':
                    var unit = Hex4(source);
                    source = source[Math.Min(4, source.Length)..];
                    if (char.IsHighSurrogate(unit) && source.Length >= 6 && source[0] == (byte)'\\' && source[1] == (byte)'u'
                        && Hex4(source[2..]) is var low && char.IsLowSurrogate(low))
                    {
                        destination[written++] = unit;
                        destination[written++] = low;
                        source = source[6..];
                    }
                    else if (char.IsSurrogate(unit))
                    {
                        destination[written++] = '\uFFFD';
                        invalid = true;
                    }
                    else
                    {
                        destination[written++] = unit;
                    }

                    break;
                default:
                    // '"', '\\' and '/' stand for themselves.
                    destination[written++] = (char)escape;
                    break;
            }
        }
    }

    private static char Hex4(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        for (var i = 0; i < 4 && i < hex.Length; i++)
        {
            var b = hex[i];
            var digit = b is >= (byte)'0' and <= (byte)'9' ? b - '0'
                : b is >= (byte)'a' and <= (byte)'f' ? b - 'a' + 10
                : b is >= (byte)'A' and <= (byte)'F' ? b - 'A' + 10
                : 0;
            value = (value << 4) | digit;
        }

        return (char)value;
    }
}
