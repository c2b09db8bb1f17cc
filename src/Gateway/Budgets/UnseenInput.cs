using LlmGateway.Proxy;

namespace LlmGateway.Budgets;

/// <summary>
/// Whether a request continues a conversation the provider keeps (a Responses <c>previous_response_id</c> or
/// <c>conversation</c>): the provider then reads that stored state as input too, which the body does not show.
/// </summary>
internal static class ServerState
{
    /// <summary>Reads only the names of the top-level properties the scanner does not act on (offsets from the one scan).</summary>
    public static bool IsContinued(ReadOnlySpan<byte> body, RequestScan scan)
    {
        foreach (var property in scan.Properties)
        {
            if (property.Field == TopLevelField.Other
                && (property.NameIs(body, "previous_response_id"u8) || property.NameIs(body, "conversation"u8))
                && !property.IsNull(body))
            {
                return true;
            }
        }

        return false;
    }
}
