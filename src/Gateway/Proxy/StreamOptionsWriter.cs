namespace LlmGateway.Proxy;

/// <summary>
/// Writes <c>"stream_options"</c> with <c>include_usage: true</c>, keeping any other options the
/// client set. Ours goes last, so a client's <c>"include_usage": false</c> is overridden (JSON readers
/// keep the last of duplicate keys); the usage chunk is removed again before the client sees it.
/// </summary>
internal static class StreamOptionsWriter
{
    public static void Write(ReadOnlySpan<byte> body, ScannedProperty? clientOptions, PooledBuffer destination)
    {
        destination.Write("\"stream_options\":{"u8);
        if (clientOptions is { } options)
        {
            var inner = body[(options.ValueStart + 1)..(options.End - 1)].Trim(" \t\r\n"u8);
            if (!inner.IsEmpty)
            {
                destination.Write(inner);
                destination.Write(","u8);
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
