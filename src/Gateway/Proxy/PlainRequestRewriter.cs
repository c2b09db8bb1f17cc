namespace LlmGateway.Proxy;

/// <summary>
/// The rewrite of a plain-model request, when one is needed: the catalog's upstream model name
/// and/or <c>stream_options.include_usage</c>. Every other byte is copied as the client sent it.
/// </summary>
internal static class PlainRequestRewriter
{
    public static void Rewrite(ReadOnlySpan<byte> body, RequestScan scan, ReadOnlySpan<byte> upstreamModelJson, bool injectUsage, PooledBuffer destination)
    {
        var clientOptions = injectUsage ? StreamOptionsWriter.Find(body, scan) : null;
        var first = true;
        destination.Write("{"u8);
        foreach (var property in scan.Properties)
        {
            if (!first)
            {
                destination.Write(","u8);
            }

            first = false;
            if (property.Field == TopLevelField.Model)
            {
                destination.Write(body[property.Start..property.ValueStart]);
                destination.Write(upstreamModelJson);
            }
            else if (injectUsage && property.Field == TopLevelField.StreamOptions)
            {
                StreamOptionsWriter.Write(body, clientOptions, destination);
            }
            else
            {
                destination.Write(body[property.Start..property.End]);
            }
        }

        if (injectUsage && clientOptions is null && !Array.Exists(scan.Properties, p => p.Field == TopLevelField.StreamOptions))
        {
            destination.Write(first ? ""u8 : ","u8);
            StreamOptionsWriter.Write(body, null, destination);
        }

        destination.Write("}"u8);
    }
}
