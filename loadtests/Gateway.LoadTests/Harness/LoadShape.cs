using System.Globalization;
using LlmGateway.LoadTests.Commands;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Harness;

/// <summary>The load part of a harness command's flags: open (<c>--rate</c>) or closed (<c>--concurrency</c>), and for how long.</summary>
internal sealed record LoadShape(double? Rate, int Concurrency, double WarmupSeconds, double DurationSeconds, int MaxInFlight)
{
    public static LoadShape From(CommandArgs args, double? defaultRate, int defaultConcurrency, double defaultWarmup, double defaultDuration)
    {
        var rate = args.OptionalNumber("rate", 0.1, 100_000);
        var concurrency = args.OptionalNumber("concurrency", 1, 10_000);
        if (rate is not null && concurrency is not null)
        {
            throw new UsageException("--rate (open model) and --concurrency (closed model) exclude each other; give one of them.");
        }

        return new LoadShape(
            concurrency is null ? rate ?? defaultRate : null,
            (int)(concurrency ?? defaultConcurrency),
            args.Number("warmup", defaultWarmup, 0, 600),
            args.Number("duration", defaultDuration, 1, 3600),
            (int)args.Number("max-in-flight", 1000, 1, 10_000));
    }

    public string Describe() => Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"open model, {rate:0.##} req/s")
        : string.Create(CultureInfo.InvariantCulture, $"closed model, {Concurrency} virtual users");

    public string FileTag() => Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"{rate:0.##}rps")
        : string.Create(CultureInfo.InvariantCulture, $"c{Concurrency}");

    /// <summary>The flags of one generator run with this shape, for <see cref="LoadTestOptions.Parse"/>.</summary>
    public LoadTestOptions ToOptions(Uri target, string key, string scenario, IEnumerable<string>? extra = null)
    {
        var args = new List<string>
        {
            "--target", target.AbsoluteUri, "--key", key, "--scenario", scenario,
            "--warmup", WarmupSeconds.ToString(CultureInfo.InvariantCulture),
            "--duration", DurationSeconds.ToString(CultureInfo.InvariantCulture),
            "--max-requests", "1000000000",
        };
        if (Rate is { } rate)
        {
            args.AddRange(["--rate", rate.ToString(CultureInfo.InvariantCulture), "--max-in-flight", MaxInFlight.ToString(CultureInfo.InvariantCulture)]);
        }
        else
        {
            args.AddRange(["--concurrency", Concurrency.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(extra ?? []);
        return LoadTestOptions.Parse(args);
    }
}
