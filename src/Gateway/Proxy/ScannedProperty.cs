using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>A top-level property: <c>[Start, End)</c> spans <c>"name": value</c>; the value starts at <see cref="ValueStart"/>.</summary>
internal readonly record struct ScannedProperty(TopLevelField Field, int Start, int ValueStart, int End)
{
    /// <summary>A reader positioned before the property's name (a JSON string; read it to compare, escapes decoded).</summary>
    public Utf8JsonReader NameReader(ReadOnlySpan<byte> body) => new(body[Start..ValueStart].TrimEnd(" \t\r\n:"u8));

    /// <summary>Whether the property's name, escapes decoded, is <paramref name="name"/>.</summary>
    public bool NameIs(ReadOnlySpan<byte> body, ReadOnlySpan<byte> name)
    {
        var token = body[Start..ValueStart].TrimEnd(" \t\r\n:"u8);
        if (!token.Contains((byte)'\\'))
        {
            // No escape (nearly always): the name is the bytes between the quotes.
            return token.Length == name.Length + 2 && token[1..^1].SequenceEqual(name);
        }

        var reader = new Utf8JsonReader(token);
        return reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(name);
    }

    /// <summary>Whether the value is JSON <c>null</c>.</summary>
    public bool IsNull(ReadOnlySpan<byte> body) => body[ValueStart..End].Trim(" \t\r\n"u8).SequenceEqual("null"u8);
}
