using System.CommandLine;
using LlmGateway.LoadTests.Harness;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// The load flags every harness command shares (<c>--rate</c> or <c>--concurrency</c>, <c>--warmup</c>,
/// <c>--duration</c>, <c>--max-in-flight</c>), with that command's defaults. A command whose default duration depends
/// on other flags (rollback) passes no default and computes it in <see cref="Read"/>.
/// </summary>
internal sealed class LoadShapeOptions
{
    private readonly double? _defaultRate;
    private readonly int _defaultConcurrency;
    private readonly double? _defaultDuration;

    public LoadShapeOptions(double? defaultRate, int defaultConcurrency, double defaultWarmup, double? defaultDuration, string warmupDescription = "Seconds of load before measuring; not in the results.")
    {
        _defaultRate = defaultRate;
        _defaultConcurrency = defaultConcurrency;
        var rateDefault = defaultRate is { } r ? $" Default: {r:0.##} req/s." : string.Empty;
        Rate = NumberOption.Optional("--rate", $"Open model: R requests per second (coordinated omission corrected).{rateDefault} Excludes --concurrency.", 0.1, LoadTestOptions.MaxRatePerSecond);
        Concurrency = NumberOption.Optional("--concurrency", $"Closed model: N virtual users. Default: {defaultConcurrency} when no rate applies.", 1, LoadTestOptions.MaxConcurrency);
        Warmup = NumberOption.Create("--warmup", warmupDescription, defaultWarmup, 0, LoadTestOptions.MaxWarmupSeconds);
        _defaultDuration = defaultDuration;
        var durationDefault = defaultDuration is { } d ? $"Default: {d:0.##}" : "Default: long enough for the command's own schedule.";
        Duration = NumberOption.Optional("--duration", $"Measured seconds. {durationDefault}", 1, LoadTestOptions.MaxDurationSeconds);
        MaxInFlight = NumberOption.Create("--max-in-flight", "Open model: at most N requests in flight; more are dropped and counted.", LoadTestOptions.DefaultMaxInFlight, 1, LoadTestOptions.MaxConcurrency);
    }

    public Option<double?> Rate { get; }

    public Option<int?> Concurrency { get; }

    public Option<double> Warmup { get; }

    public Option<double?> Duration { get; }

    public Option<int> MaxInFlight { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Rate);
        command.Options.Add(Concurrency);
        command.Options.Add(Warmup);
        command.Options.Add(Duration);
        command.Options.Add(MaxInFlight);
        command.Validators.Add(result =>
        {
            if (result.GetResult(Rate) is not null && result.GetResult(Concurrency) is not null)
            {
                result.AddError("--rate (open model) and --concurrency (closed model) exclude each other; give one of them.");
            }
        });
    }

    /// <param name="computedDuration">The duration when <c>--duration</c> is absent and the command has no fixed default.</param>
    public LoadShape Read(ParseResult result, double? computedDuration = null)
    {
        var concurrency = result.GetValue(Concurrency);
        var duration = result.GetValue(Duration) ?? _defaultDuration ?? computedDuration ?? 10;
        return new LoadShape(
            concurrency is null ? result.GetValue(Rate) ?? _defaultRate : null,
            concurrency ?? _defaultConcurrency,
            result.GetValue(Warmup),
            duration,
            result.GetValue(MaxInFlight));
    }
}
