using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace LlmGateway.Eval.Running;

/// <summary>
/// Reads a model's text out of JSON without failing the call over one bad character. A stream's chunk can end inside an
/// emoji, escaping half of its surrogate pair (<c>"\ud83d"</c>, the other half in the next chunk), and a provider can
/// send invalid UTF-8; <see cref="JsonElement.GetString"/> throws on both, which made an answer a failed call.
/// </summary>
internal static class LenientJsonText
{
    private const char Replacement = '\uFFFD';

    /// <summary>
    /// The string's text. Half of an escaped surrogate pair is kept as it is, so chunks joined afterwards make the pair
    /// whole again (<see cref="WithoutLoneSurrogates"/> replaces what is still half); invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public static string Read(JsonElement element)
    {
        try
        {
            return element.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // The parser has checked the escapes' syntax; only their meaning is left to read, leniently.
            var raw = JsonMarshal.GetRawUtf8Value(element);
            return Unescape(raw[1..^1]);
        }
    }

    /// <summary><paramref name="text"/> with every half of a surrogate pair that has no other half replaced by U+FFFD.</summary>
    public static string WithoutLoneSurrogates(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        StringBuilder? fixedText = null;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                fixedText?.Append(ch).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(ch))
            {
                fixedText ??= new StringBuilder(text.Length).Append(text, 0, i);
                fixedText.Append(Replacement);
            }
            else
            {
                fixedText?.Append(ch);
            }
        }

        return fixedText?.ToString() ?? text;
    }

    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = new StringBuilder(raw.Length);
        while (raw.Length > 0)
        {
            var escape = raw.IndexOf((byte)'\\');
            var run = escape < 0 ? raw : raw[..escape];
            text.Append(Encoding.UTF8.GetString(run));
            if (escape < 0)
            {
                break;
            }

            var kind = (char)raw[escape + 1];
            if (kind == 'u')
            {
                text.Append((char)int.Parse(Encoding.ASCII.GetString(raw.Slice(escape + 2, 4)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                raw = raw[(escape + 6)..];
                continue;
            }

            text.Append(kind switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => kind, // '"', '\\' and '/' stand for themselves.
            });
            raw = raw[(escape + 2)..];
        }

        return text.ToString();
    }
}
