using System.Text.Json;

namespace LlmGateway.Proxy;

/// <summary>
/// Writes <c>"stream_options"</c> with <c>include_usage: true</c>, keeping every other option the client set. A
/// client's own <c>include_usage</c> is left out rather than followed by ours: duplicate keys are read as the last by
/// some JSON readers and refused by others (serde-derived providers); the usage chunk is removed again before the
/// client sees it.
/// </summary>
internal static class StreamOptionsWriter
{
    public static void Write(ReadOnlySpan<byte> body, ScannedProperty? clientOptions, PooledBuffer destination)
    {
        destination.Write("\"stream_options\":{"u8);
        if (clientOptions is { } options)
        {
            var members = body[options.ValueStart..options.End];
            var reader = new Utf8JsonReader(members, RequestBodyScanner.ReaderOptions);
            reader.Read();
            // The body was scanned whole before this (its stream_options read by the same comparison), so it reads.
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var start = (int)reader.TokenStartIndex;
                var includeUsage = reader.ValueTextEquals("include_usage"u8);
                reader.Read();
                reader.Skip();
                if (!includeUsage)
                {
                    destination.Write(members[start..(int)reader.BytesConsumed]);
                    destination.Write(","u8);
                }
            }
        }

        destination.Write("\"include_usage\":true}"u8);
    }

    /// <summary>The client's <c>stream_options</c>, when it is an object.</summary>
    public static ScannedProperty? Find(ReadOnlySpan<byte> body, RequestScan scan)
    {
        foreach (var property in scan.Properties)
        {
            if (property.Field == TopLevelField.StreamOptions && body[property.ValueStart] == (byte)'{')
            {
                return property;
            }
        }

        return null;
    }
}
