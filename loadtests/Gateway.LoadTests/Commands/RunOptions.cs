using System.CommandLine;
using LlmGateway.LoadTests.Options;

namespace LlmGateway.LoadTests.Commands;

/// <summary>
/// The flags of the plain run (the root command: one load test against a server that is already up). The rules that
/// span two flags (<c>--rate</c> excludes <c>--concurrency</c>; <c>--max-in-flight</c> needs <c>--rate</c>) are command
/// validators, so they fail as parse errors (exit code 2) before anything is sent.
/// </summary>
internal sealed class RunOptions
{
    public Option<Uri> Target { get; } = ParsedOption.Create(
        "--target",
        "Base URL of the server; loopback only (127.0.0.0/8, ::1, localhost).",
        "url",
        TargetParser.Parse,
        new Uri(LoadTestOptions.DefaultTarget));

    public Option<string> Key { get; } = ParsedOption.NonEmpty("--key", "Sent as \"Authorization: Bearer <key>\".", "api key", LoadTestOptions.DefaultKey);

    public Option<string> Model { get; } = ParsedOption.NonEmpty("--model", "Model in the request body.", "name", LoadTestOptions.DefaultModel);

    public Option<string> Scenario { get; } = ScenarioOption();

    public Option<string> Prompt { get; } = ParsedOption.NonEmpty("--prompt", "Prompt of prompt-chat (the harness's bundle).", "name", Scenarios.LoadTestBundle.Name);

    public Option<int?> ExpectChunks { get; } = NumberOption.Optional("--expect-chunks", "stream: a stream with another number of content chunks is a failure.", 1, 100_000);

    public Option<int?> Concurrency { get; } = NumberOption.Optional(
        "--concurrency",
        $"Closed model: N virtual users, each sends its next request when the previous one is done. Default: {LoadTestOptions.DefaultConcurrency} (when --rate is not given)",
        1,
        LoadTestOptions.MaxConcurrency);

    public Option<double?> Rate { get; } = NumberOption.Optional(
        "--rate",
        "Open model: R requests per second on a fixed schedule, whatever the responses do. Latency is measured from each "
        + "request's intended send time (coordinated omission corrected). Excludes --concurrency.",
        0,
        LoadTestOptions.MaxRatePerSecond,
        minExclusive: true);

    public Option<int?> MaxInFlight { get; } = NumberOption.Optional(
        "--max-in-flight",
        $"Open model only: at most N requests in flight; a request due while the cap is hit is dropped and counted. Default: {LoadTestOptions.DefaultMaxInFlight}",
        1,
        LoadTestOptions.MaxConcurrency);

    public Option<double> Duration { get; } = NumberOption.Create("--duration", "Measured seconds after the warmup.", 10, 0, LoadTestOptions.MaxDurationSeconds, minExclusive: true);

    public Option<double> Warmup { get; } = NumberOption.Create("--warmup", "Seconds of load before measuring; not in the results.", 2, 0, LoadTestOptions.MaxWarmupSeconds);

    public Option<long> MaxRequests { get; } = NumberOption.Create("--max-requests", "Stop after N requests sent, warmup included.", LoadTestOptions.DefaultMaxRequests, 1, LoadTestOptions.MaxRequestsLimit);

    public Option<double> Timeout { get; } = NumberOption.Create("--timeout", "Per-request timeout in seconds, whole response included.", 30, 0, LoadTestOptions.MaxTimeoutSeconds, minExclusive: true);

    public Option<KeyValuePair<string, string>[]> Header { get; } = ParsedOption.Repeated(
        "--header",
        "Extra request header, repeatable (e.g. --header x-mock-chunks:20).",
        "name:value",
        HeaderParser.Parse);

    public Option<string?> Json { get; } = new("--json") { Description = "Also write the results as JSON to this file.", HelpName = "path" };

    private static Option<string> ScenarioOption()
    {
        var option = new Option<string>("--scenario")
        {
            Description = "prompt-chat sends \"model\":\"prompt:<--prompt>\" with company=Acme and one X-Session-Id per request, and needs "
                + "X-Prompt-Version/-Variant back; prompt-chat-plain sends the body the gateway forwards for the load-test bundle (for "
                + "systems without a prompt registry).",
            DefaultValueFactory = _ => ScenarioNames.Chat,
        };
        option.AcceptOnlyFromAmong([.. ScenarioNames.All]);
        return option;
    }

    public void AddTo(Command command)
    {
        Option[] all = [Target, Key, Model, Scenario, Prompt, ExpectChunks, Concurrency, Rate, MaxInFlight, Duration, Warmup, MaxRequests, Timeout, Header, Json];
        foreach (var option in all)
        {
            command.Options.Add(option);
        }

        Json.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            {
                result.AddError("--json must not be empty.");
            }
        });
        command.Validators.Add(result =>
        {
            var hasRate = result.GetResult(Rate) is not null;
            if (hasRate && result.GetResult(Concurrency) is not null)
            {
                result.AddError("--rate (open model) and --concurrency (closed model) exclude each other; give one of them.");
            }

            if (!hasRate && result.GetResult(MaxInFlight) is not null)
            {
                result.AddError("--max-in-flight only applies to the open model; add --rate <requests per second>.");
            }
        });
    }

    public LoadTestOptions Read(ParseResult result) => new()
    {
        Target = result.GetValue(Target)!,
        ApiKey = result.GetValue(Key)!,
        Model = result.GetValue(Model)!,
        Scenario = ScenarioNames.Parse(result.GetValue(Scenario)!),
        Concurrency = result.GetValue(Concurrency) ?? LoadTestOptions.DefaultConcurrency,
        RatePerSecond = result.GetValue(Rate),
        MaxInFlight = result.GetValue(MaxInFlight) ?? LoadTestOptions.DefaultMaxInFlight,
        Duration = TimeSpan.FromSeconds(result.GetValue(Duration)),
        Warmup = TimeSpan.FromSeconds(result.GetValue(Warmup)),
        MaxRequests = result.GetValue(MaxRequests),
        RequestTimeout = TimeSpan.FromSeconds(result.GetValue(Timeout)),
        Headers = result.GetValue(Header) ?? [],
        JsonPath = result.GetValue(Json),
        PromptName = result.GetValue(Prompt)!,
        ExpectedChunks = result.GetValue(ExpectChunks),
    };
}
