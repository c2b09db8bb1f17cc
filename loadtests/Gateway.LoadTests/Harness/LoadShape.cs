using System.Globalization;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Harness;

/// <summary>The load part of a harness command's flags: open (<c>--rate</c>) or closed (<c>--concurrency</c>), and for how long.</summary>
internal sealed record LoadShape(double? Rate, int Concurrency, double WarmupSeconds, double DurationSeconds, int MaxInFlight)
{
    public string Describe() => Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"open model, {rate:0.##} req/s")
        : string.Create(CultureInfo.InvariantCulture, $"closed model, {Concurrency} virtual users");

    public string FileTag() => Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"{rate:0.##}rps")
        : string.Create(CultureInfo.InvariantCulture, $"c{Concurrency}");

    /// <summary>The flags that give this shape on a command line, for the command echoed next to a result.</summary>
    public string Flags() => Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"--rate {rate}")
        : string.Create(CultureInfo.InvariantCulture, $"--concurrency {Concurrency}");

    /// <summary>One generator run with this shape. Time bounds the run; the request cap is only a backstop.</summary>
    public LoadTestOptions ToOptions(
        Uri target,
        string key,
        ScenarioKind scenario,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null,
        int? expectedChunks = null,
        string? prompt = null) => new()
        {
            Target = target,
            ApiKey = key,
            Scenario = scenario,
            RatePerSecond = Rate,
            Concurrency = Concurrency,
            MaxInFlight = MaxInFlight,
            Warmup = TimeSpan.FromSeconds(WarmupSeconds),
            Duration = TimeSpan.FromSeconds(DurationSeconds),
            MaxRequests = LoadTestOptions.MaxRequestsLimit,
            Headers = headers ?? [],
            ExpectedChunks = expectedChunks,
            PromptName = prompt ?? Scenarios.LoadTestBundle.Name,
        };
}
