namespace LlmGateway.LoadTests.Options;

/// <summary>
/// One generator run, validated. Built from the command line by <see cref="Commands.RunOptions"/> and by the harness
/// commands through <see cref="Harness.LoadShape"/>; every value here has already passed its range checks.
/// </summary>
internal sealed class LoadTestOptions
{
    public const string DefaultTarget = "http://127.0.0.1:8080";
    public const string DefaultKey = "sk-gateway-demo";
    public const string DefaultModel = "gpt-4o-mini";
    public const int DefaultConcurrency = 8;
    public const int DefaultMaxInFlight = 1000;
    public const long DefaultMaxRequests = 100_000;
    public const double MaxDurationSeconds = 3600;
    public const double MaxWarmupSeconds = 600;
    public const double MaxTimeoutSeconds = 3600;
    public const int MaxConcurrency = 10_000;
    public const double MaxRatePerSecond = 100_000;
    public const long MaxRequestsLimit = 1_000_000_000;

    public Uri Target { get; init; } = new(DefaultTarget);

    public string ApiKey { get; init; } = DefaultKey;

    public string Model { get; init; } = DefaultModel;

    public ScenarioKind Scenario { get; init; } = ScenarioKind.Chat;

    /// <summary>Virtual users of the closed model; unused when <see cref="RatePerSecond"/> is set.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Arrival rate of the open model, or null for the closed model.</summary>
    public double? RatePerSecond { get; init; }

    public int MaxInFlight { get; init; } = DefaultMaxInFlight;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public long MaxRequests { get; init; } = DefaultMaxRequests;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public string? JsonPath { get; init; }

    public string PromptName { get; init; } = Scenarios.LoadTestBundle.Name;

    /// <summary>Streams only: the number of content chunks every stream must have, or null to accept any.</summary>
    public int? ExpectedChunks { get; init; }

    public bool IsOpenModel => RatePerSecond is not null;

    /// <summary>Sized so the pool never limits the load: one connection per virtual user or in-flight slot.</summary>
    public int ConnectionPoolSize => IsOpenModel ? MaxInFlight : Concurrency;

    public Uri ChatCompletionsUri => new(Target.AbsoluteUri.TrimEnd('/') + "/v1/chat/completions");
}
