using System.Text;
using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>
/// The top-level keys of one body seen so far, to find one given twice. Known fields are one bit each; other names
/// are compared as unescaped text (so <c>"a"</c> and <c>"\u0061"</c> are the same key), linearly while there are
/// few, then in a hash set, so a body of many distinct keys costs linear time, not quadratic.
/// </summary>
internal ref struct TopLevelNames
{
    private const int LinearLimit = 16;

    private uint _known;

    // Names not escaped: their bytes in the body. Escaped ones (rare): their unescaped bytes.
    private List<(int Start, int Length, byte[]? Unescaped)>? _few;
    private HashSet<string>? _many;

    /// <summary>Records the property name the reader is on; false when the body already had it.</summary>
    public bool Add(TopLevelField field, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        if (field != TopLevelField.Other)
        {
            var bit = 1u << (int)field;
            if ((_known & bit) != 0)
            {
                return false;
            }

            _known |= bit;
            return true;
        }

        if (_many is not null)
        {
            return _many.Add(reader.GetString()!);
        }

        _few ??= [];
        foreach (var (start, length, unescaped) in _few)
        {
            if (reader.ValueTextEquals(unescaped ?? json.Slice(start, length)))
            {
                return false;
            }
        }

        if (_few.Count < LinearLimit)
        {
            _few.Add(reader.ValueIsEscaped
                ? (0, 0, Unescape(ref reader))
                : ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, null));
            return true;
        }

        _many = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (start, length, unescaped) in _few)
        {
            _many.Add(Encoding.UTF8.GetString(unescaped ?? json.Slice(start, length)));
        }

        _few = null;
        return _many.Add(reader.GetString()!);
    }

    private static byte[] Unescape(ref Utf8JsonReader reader)
    {
        var buffer = new byte[reader.ValueSpan.Length];
        return buffer.AsSpan(0, reader.CopyString(buffer)).ToArray();
    }
}
