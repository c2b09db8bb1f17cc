using System.Text.Json;
using LlmGateway.Contracts.Releases;
using LlmGateway.Serialization;

namespace LlmGateway.Releases;

/// <summary>Reads release records leniently (people write them by hand with redis-cli) and writes them canonically.</summary>
internal static class ReleaseJson
{
    public static ReleaseRecord Parse(string json)
    {
        var record = JsonSerializer.Deserialize(json, GatewayJsonContext.Default.ReleaseRecord) ?? throw new JsonException("The release record is null.");

        // A hand-written value may say "salt": null; treat it like an absent field.
        return record with { Salt = record.Salt ?? "", Stickiness = record.Stickiness ?? "auto" };
    }

    public static bool TryParse(string json, out ReleaseRecord? record)
    {
        try
        {
            record = Parse(json);
            return record.CanaryWeight is >= 0 and <= 10_000 && record.Sampling?.Problem() is null;
        }
        catch (JsonException)
        {
            record = null;
            return false;
        }
    }

    public static string Serialize(ReleaseRecord record) => JsonSerializer.Serialize(record, GatewayJsonContext.Default.ReleaseRecord);
}
