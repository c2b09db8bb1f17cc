using System.Text.Json;
using LlmGateway.Accounting;
using LlmGateway.Serialization;

namespace LlmGateway.Streaming;

/// <summary>The SSE comment that carries a streamed request's accounting: <c>: gateway-usage {...}</c>.</summary>
internal static class UsageComment
{
    /// <param name="endLineFirst">The stream so far ends mid-line: a blank line first ends that line and its event.</param>
    public static byte[] Format(AccountingRecord record, bool endLineFirst = false)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, GatewayJsonContext.Default.AccountingRecord);
        return endLineFirst
            ? [.. "\n\n: gateway-usage "u8, .. json, .. "\n\n"u8]
            : [.. ": gateway-usage "u8, .. json, .. "\n\n"u8];
    }
}
