using System.Text.Json.Serialization;

namespace LlmGateway.LoadTests.Reporting;

/// <summary>What was asked for, so a JSON result can be compared with another one without its command line.</summary>
internal sealed record RunSettings(
    string Endpoint,
    string Scenario,
    string Model,
    string LoadModel,
    string Description,
    int? Concurrency,
    double? RatePerSecond,
    int? MaxInFlight,
    double WarmupSeconds,
    double DurationSeconds,
    long MaxRequests,
    double TimeoutSeconds,
    IReadOnlyList<string> Headers)
{
    public const string OpenModel = "open";
    public const string ClosedModel = "closed";

    [JsonIgnore]
    public bool IsOpenModel => LoadModel == OpenModel;
}
