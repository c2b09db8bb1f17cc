using System.Globalization;

namespace LlmGateway.LoadTests.Options;

/// <summary>
/// The command line, parsed by hand (no System.CommandLine here). Every mistake becomes a
/// <see cref="UsageException"/> whose message names the flag and what it accepts.
/// </summary>
internal sealed class LoadTestOptions
{
    public const string DefaultTarget = "http://127.0.0.1:8080";
    public const string DefaultKey = "sk-gateway-demo";
    public const string DefaultModel = "gpt-4o-mini";
    public const int DefaultConcurrency = 8;
    public const int DefaultMaxInFlight = 1000;
    public const long DefaultMaxRequests = 100_000;

    public const string HelpText = """
        Gateway.LoadTests: a small load generator for an OpenAI-compatible server on this machine.

        Usage: dotnet run --project loadtests/Gateway.LoadTests -- [flags]

          --target <url>        Base URL of the server; loopback only (127.0.0.0/8, ::1, localhost).
                                Default: http://127.0.0.1:8080
          --key <api key>       Sent as "Authorization: Bearer <key>". Default: sk-gateway-demo
          --model <name>        Model in the request body. Default: gpt-4o-mini
          --scenario <name>     chat | stream | prompt-chat | prompt-chat-plain. Default: chat
                                prompt-chat sends "model":"prompt:<--prompt>" with company=Acme and one
                                X-Session-Id per request, and needs X-Prompt-Version/-Variant back;
                                prompt-chat-plain sends the body the gateway forwards for the load-test
                                bundle (for systems without a prompt registry).
          --prompt <name>       Prompt of prompt-chat. Default: lt-support (the harness's bundle)
          --expect-chunks <N>   stream: a stream with another number of content chunks is a failure.
          --concurrency <N>     Closed model: N virtual users, each sends its next request when the
                                previous one is done. Default: 8 (when --rate is not given)
          --rate <R>            Open model: R requests per second on a fixed schedule, whatever the
                                responses do. Latency is measured from each request's intended send
                                time (coordinated omission corrected). Excludes --concurrency.
          --max-in-flight <N>   Open model only: at most N requests in flight; a request due while the
                                cap is hit is dropped and counted. Default: 1000
          --duration <s>        Measured seconds after the warmup (max 3600). Default: 10
          --warmup <s>          Seconds of load before measuring; not in the results (max 600). Default: 2
          --max-requests <N>    Stop after N requests sent, warmup included. Default: 100000
          --timeout <s>         Per-request timeout, whole response included. Default: 30
          --header <name:value> Extra request header, repeatable (e.g. x-mock-chunks:20).
          --json <path>         Also write the results as JSON to this file.
          --help                Show this text.

        The run stops at whichever comes first: warmup + duration, --max-requests, or Ctrl+C.
        Exit codes: 0 the run completed (even with failed requests), 1 the JSON file could not be
        written, 2 bad flags.

        """;

    private const double MaxDurationSeconds = 3600;
    private const double MaxWarmupSeconds = 600;
    private const double MaxTimeoutSeconds = 3600;
    private const int MaxConcurrency = 10_000;
    private const double MaxRatePerSecond = 100_000;
    private const long MaxRequestsLimit = 1_000_000_000;

    private static readonly string[] FlagsWithValue =
    [
        "--target", "--key", "--model", "--scenario", "--concurrency", "--rate", "--max-in-flight",
        "--duration", "--warmup", "--max-requests", "--timeout", "--header", "--json", "--prompt", "--expect-chunks",
    ];

    // Headers the tool owns: --key sets Authorization, and the framing headers belong to HttpClient.
    private static readonly string[] ReservedHeaders = ["authorization", "host", "connection", "transfer-encoding"];

    private LoadTestOptions()
    {
    }

    public Uri Target { get; private init; } = new(DefaultTarget);

    public string ApiKey { get; private init; } = DefaultKey;

    public string Model { get; private init; } = DefaultModel;

    public ScenarioKind Scenario { get; private init; } = ScenarioKind.Chat;

    /// <summary>Virtual users of the closed model; unused when <see cref="RatePerSecond"/> is set.</summary>
    public int Concurrency { get; private init; } = DefaultConcurrency;

    /// <summary>Arrival rate of the open model, or null for the closed model.</summary>
    public double? RatePerSecond { get; private init; }

    public int MaxInFlight { get; private init; } = DefaultMaxInFlight;

    public TimeSpan Duration { get; private init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; private init; } = TimeSpan.FromSeconds(2);

    public long MaxRequests { get; private init; } = DefaultMaxRequests;

    public TimeSpan RequestTimeout { get; private init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; private init; } = [];

    public string? JsonPath { get; private init; }

    public string PromptName { get; private init; } = Scenarios.LoadTestBundle.Name;

    /// <summary>Streams only: the number of content chunks every stream must have, or null to accept any.</summary>
    public int? ExpectedChunks { get; private init; }

    public bool ShowHelp { get; private init; }

    public bool IsOpenModel => RatePerSecond is not null;

    /// <summary>Sized so the pool never limits the load: one connection per virtual user or in-flight slot.</summary>
    public int ConnectionPoolSize => IsOpenModel ? MaxInFlight : Concurrency;

    public Uri ChatCompletionsUri => new(Target.AbsoluteUri.TrimEnd('/') + "/v1/chat/completions");

    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return new LoadTestOptions { ShowHelp = true };
            }

            var (flag, value) = SplitFlag(args, ref i);
            if (flag == "--header")
            {
                headers.Add(ParseHeader(value));
            }
            else if (!values.TryAdd(flag, value))
            {
                throw new UsageException($"{flag} was given twice; give it once.");
            }
        }

        var rate = values.ContainsKey("--rate") ? ParseDouble(values, "--rate", 0, MaxRatePerSecond, 0) : (double?)null;
        if (rate is not null && values.ContainsKey("--concurrency"))
        {
            throw new UsageException("--rate (open model) and --concurrency (closed model) exclude each other; give one of them.");
        }

        if (rate is null && values.ContainsKey("--max-in-flight"))
        {
            throw new UsageException("--max-in-flight only applies to the open model; add --rate <requests per second>.");
        }

        return new LoadTestOptions
        {
            Target = ParseTarget(values.GetValueOrDefault("--target", DefaultTarget)),
            ApiKey = NonEmpty(values, "--key", DefaultKey),
            Model = NonEmpty(values, "--model", DefaultModel),
            Scenario = ParseScenario(values.GetValueOrDefault("--scenario", "chat")),
            Concurrency = (int)ParseLong(values, "--concurrency", 1, MaxConcurrency, DefaultConcurrency),
            RatePerSecond = rate,
            MaxInFlight = (int)ParseLong(values, "--max-in-flight", 1, MaxConcurrency, DefaultMaxInFlight),
            Duration = ParseSeconds(values, "--duration", minExclusive: 0, MaxDurationSeconds, 10),
            Warmup = ParseSeconds(values, "--warmup", minExclusive: null, MaxWarmupSeconds, 2),
            MaxRequests = ParseLong(values, "--max-requests", 1, MaxRequestsLimit, DefaultMaxRequests),
            RequestTimeout = ParseSeconds(values, "--timeout", minExclusive: 0, MaxTimeoutSeconds, 30),
            Headers = headers,
            JsonPath = values.ContainsKey("--json") ? NonEmpty(values, "--json", string.Empty) : null,
            PromptName = NonEmpty(values, "--prompt", Scenarios.LoadTestBundle.Name),
            ExpectedChunks = values.ContainsKey("--expect-chunks") ? (int)ParseLong(values, "--expect-chunks", 1, 100_000, 0) : null,
        };
    }

    /// <summary>Accepts both <c>--flag value</c> and <c>--flag=value</c>.</summary>
    private static (string Flag, string Value) SplitFlag(IReadOnlyList<string> args, ref int index)
    {
        var arg = args[index];
        if (!arg.StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException($"Unexpected argument '{arg}': every flag starts with '--'.");
        }

        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        var flag = equals < 0 ? arg : arg[..equals];
        if (!FlagsWithValue.Contains(flag, StringComparer.Ordinal))
        {
            throw new UsageException($"Unknown flag '{flag}'.");
        }

        if (equals >= 0)
        {
            return (flag, arg[(equals + 1)..]);
        }

        // A following flag is a forgotten value, not a value that happens to start with dashes.
        if (index + 1 >= args.Count || args[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException($"{flag} needs a value.");
        }

        index++;
        return (flag, args[index]);
    }

    private static Uri ParseTarget(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--target must be an absolute http:// or https:// URL such as {DefaultTarget}, got '{value}'.");
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new UsageException($"--target is a base URL: no query, fragment or user info, got '{value}'.");
        }

        if (!LoopbackGuard.IsLoopbackHost(uri))
        {
            throw new UsageException(
                $"--target host '{uri.Host}' is not a loopback address. This tool only loads this machine: "
                + "use 127.0.0.0/8, [::1] or localhost.");
        }

        return uri;
    }

    private static ScenarioKind ParseScenario(string value) => value switch
    {
        "chat" => ScenarioKind.Chat,
        "stream" => ScenarioKind.Stream,
        "prompt-chat" => ScenarioKind.PromptChat,
        "prompt-chat-plain" => ScenarioKind.PromptChatPlain,
        _ => throw new UsageException($"--scenario must be chat, stream, prompt-chat or prompt-chat-plain, got '{value}'."),
    };

    private static KeyValuePair<string, string> ParseHeader(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? string.Empty : value[..colon].Trim();
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            throw new UsageException($"--header must look like name:value (e.g. x-mock-chunks:20), got '{value}'.");
        }

        var headerValue = value[(colon + 1)..].Trim();
        if (headerValue.Contains('\r', StringComparison.Ordinal) || headerValue.Contains('\n', StringComparison.Ordinal))
        {
            throw new UsageException($"--header {name}: the value must be on one line.");
        }

        var lower = name.ToLowerInvariant();
        if (ReservedHeaders.Contains(lower, StringComparer.Ordinal) || lower.StartsWith("content-", StringComparison.Ordinal))
        {
            var hint = lower == "authorization" ? " Use --key for the API key." : string.Empty;
            throw new UsageException($"--header {name} is set by the tool itself.{hint}");
        }

        // Asks HttpClient itself, so a header it would refuse fails here rather than in the middle of a run.
        using var probe = new HttpRequestMessage();
        if (!probe.Headers.TryAddWithoutValidation(name, headerValue))
        {
            throw new UsageException($"--header {name} cannot be sent as a request header.");
        }

        return new(name, headerValue);
    }

    // RFC 9110 token characters: what a header name may contain.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static string NonEmpty(Dictionary<string, string> values, string flag, string fallback)
    {
        var value = values.GetValueOrDefault(flag, fallback);
        return string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{flag} must not be empty.") : value;
    }

    private static long ParseLong(Dictionary<string, string> values, string flag, long min, long max, long fallback)
    {
        if (!values.TryGetValue(flag, out var raw))
        {
            return fallback;
        }

        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{flag} must be a whole number from {min} to {max}, got '{raw}'.");
    }

    /// <summary>A number in (min, max]; the lower bound is exclusive because a rate or duration of 0 means nothing.</summary>
    private static double ParseDouble(Dictionary<string, string> values, string flag, double minExclusive, double max, double fallback)
    {
        if (!values.TryGetValue(flag, out var raw))
        {
            return fallback;
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > minExclusive && value <= max
            ? value
            : throw new UsageException($"{flag} must be a number above {minExclusive} and at most {max}, got '{raw}'.");
    }

    /// <summary>Seconds, fractions allowed; <paramref name="minExclusive"/> null means 0 itself is fine.</summary>
    private static TimeSpan ParseSeconds(Dictionary<string, string> values, string flag, double? minExclusive, double max, double fallback)
    {
        if (!values.TryGetValue(flag, out var raw))
        {
            return TimeSpan.FromSeconds(fallback);
        }

        var valid = double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && (minExclusive is { } min ? seconds > min : seconds >= 0)
            && seconds <= max;
        return valid
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"{flag} must be {(minExclusive is { } above ? $"more than {above}" : "at least 0")} and at most {max} seconds, got '{raw}'.");
    }
}
