using System.Text.Json;
using LlmGateway.Contracts.Releases;
using LlmGateway.Contracts.Rollouts;
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
            return record.CanaryWeight is >= 0 and <= 10_000 && record.Sampling?.Problem() is null && ValidRates(record.RolloutSampling);
        }
        catch (JsonException)
        {
            record = null;
            return false;
        }
    }

    /// <summary>A rollout's rates as its plan allows them (greater than 0, at most 1), or none.</summary>
    private static bool ValidRates(RolloutSampling? sampling) =>
        sampling is null || (sampling.Stable is null or (> 0 and <= 1) && sampling.Canary is null or (> 0 and <= 1));

    public static string Serialize(ReleaseRecord record) => JsonSerializer.Serialize(record, GatewayJsonContext.Default.ReleaseRecord);
}
