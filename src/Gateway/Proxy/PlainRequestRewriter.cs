namespace LlmGateway.Proxy;

/// <summary>
/// The rewrite of a plain-model request, when one is needed: the catalog's upstream model name
/// and/or <c>stream_options.include_usage</c>, and/or a <c>max_tool_calls</c> or output cap the request did not set. Every
/// other byte is copied as the client sent it.
/// </summary>
internal static class PlainRequestRewriter
{
    /// <param name="maxToolCalls">Written as <c>max_tool_calls</c> (in place of a <c>null</c> one) when set.</param>
    /// <param name="outputCap">Written in its field (in place of a <c>null</c> one) when set.</param>
    public static void Rewrite(
        ReadOnlySpan<byte> body, RequestScan scan, ReadOnlySpan<byte> upstreamModelJson, bool injectUsage, PooledBuffer destination, int? maxToolCalls = null, Budgets.OutputCap? outputCap = null)
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
            else if (maxToolCalls is { } calls && property.Field == TopLevelField.Other && property.NameIs(body, "max_tool_calls"u8))
            {
                // The caller asks for a bound only when the request's own is not a count it reads: that one is replaced.
                destination.Write(body[property.Start..property.ValueStart]);
                WriteNumber(calls, destination);
                maxToolCalls = null;
            }
            else if (outputCap is { } output && output.Names(body, property))
            {
                // Asked for only when the request's own value is null: that one is replaced.
                destination.Write(body[property.Start..property.ValueStart]);
                output.WriteValue(destination);
                outputCap = null;
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
            first = false;
        }

        if (maxToolCalls is { } cap)
        {
            destination.Write(first ? "\"max_tool_calls\":"u8 : ",\"max_tool_calls\":"u8);
            WriteNumber(cap, destination);
            first = false;
        }

        if (outputCap is { } uncapped)
        {
            destination.Write(first ? ""u8 : ","u8);
            uncapped.Write(destination);
        }

        destination.Write("}"u8);
    }

    private static void WriteNumber(int value, PooledBuffer destination)
    {
        Span<byte> digits = stackalloc byte[11];
        value.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        destination.Write(digits[..written]);
    }
}
