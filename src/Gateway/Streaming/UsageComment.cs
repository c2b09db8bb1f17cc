using System.Text.Json;
using LlmGateway.Accounting;
using LlmGateway.Serialization;

namespace LlmGateway.Streaming;

/// <summary>The SSE comment that carries a streamed request's accounting: <c>: gateway-usage {...}</c>.</summary>
internal static class UsageComment
{
    public static byte[] Format(AccountingRecord record)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(record, GatewayJsonContext.Default.AccountingRecord);
        return [.. ": gateway-usage "u8, .. json, .. "\n\n"u8];
    }
}
