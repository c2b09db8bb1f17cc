using System.Globalization;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Comparison;

/// <summary>
/// The phases of a comparison. <c>--scenario goals</c> is every figure issue #14's goals need, from one run: plain and
/// prompt chat under closed-model load (throughput, CPU and allocation per request, peak RSS), plain chat at a fixed
/// open-model rate (added p99, coordinated omission corrected), and streams at a fixed rate (time to first token).
/// A single scenario is one phase with the load given on the command line.
/// </summary>
internal static class CompareSuite
{
    public const string Goals = "goals";

    public static IReadOnlyList<ComparePhase> GoalPhases(int concurrency, double openRate, double streamRate, double warmupSeconds, double windowSeconds, int maxInFlight, int chunks, double chunkDelayMs)
    {
        var closed = new LoadShape(null, concurrency, warmupSeconds, windowSeconds, maxInFlight);
        return
        [
            Single(ScenarioKind.Chat, closed, chunks, chunkDelayMs),
            Single(ScenarioKind.PromptChat, closed, chunks, chunkDelayMs),
            Single(ScenarioKind.Chat, closed with { Rate = openRate }, chunks, chunkDelayMs),
            Single(ScenarioKind.Stream, closed with { Rate = streamRate }, chunks, chunkDelayMs),
        ];
    }

    public static ComparePhase Single(ScenarioKind scenario, LoadShape load, int chunks, double chunkDelayMs)
    {
        var name = $"{ComparePhase.NameOf(scenario)}-{load.FileTag()}";
        if (scenario != ScenarioKind.Stream)
        {
            return new ComparePhase(name, scenario, load, [], null);
        }

        // Mock knobs, passed through the proxies as headers; every stream must then carry exactly this many chunks.
        KeyValuePair<string, string>[] headers =
        [
            new("x-mock-chunks", chunks.ToString(CultureInfo.InvariantCulture)),
            new("x-mock-chunk-delay-ms", chunkDelayMs.ToString(CultureInfo.InvariantCulture)),
        ];
        return new ComparePhase(name, scenario, load, headers, chunks);
    }
}
