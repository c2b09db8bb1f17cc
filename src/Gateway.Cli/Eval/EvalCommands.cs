using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmGateway.Cli.Http;
using LlmGateway.Cli.Output;
using LlmGateway.Cli.Prompts;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Reports;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Cli.Eval;

/// <summary>
/// <c>gatewayctl eval run</c>: runs a dataset through the gateway on two pinned versions of a prompt and gates the
/// candidate on the config's metrics. Exits with <see cref="EvalExitCodes"/> (0 pass, 100 fail, 3 inconclusive,
/// 2 error) rather than the other commands' codes, because CI reads them and 1/3/4 mean something else there.
/// </summary>
internal sealed class EvalCommands(CommandRunner runner)
{
    public const string GatewayKeyVariable = "GATEWAY_API_KEY";

    /// <summary>A gateway call waits for the model's whole answer, which can take far longer than an admin call.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(120);

    private readonly Option<string?> config = new("--config") { Description = "The eval config (YAML)", HelpName = "file", Required = true };
    private readonly Option<string?> prompt = new("--prompt") { Description = "The prompt to evaluate [default: the config's 'prompt']", HelpName = "name" };
    private readonly Option<int> candidate = VersionNumber.Option("--candidate", "The version under test (3 or v3)");

    private readonly Option<BaselineSpec?> baseline = new("--baseline")
    {
        Description = "The version to compare against: 3, v3, stable@<env> (that environment's stable version), or none (judge the candidate alone on its bundle's eval.thresholds)",
        HelpName = "version|stable@env|none",
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (BaselineSpec.TryParse(text, out var spec))
            {
                return spec;
            }

            result.AddError(BaselineSpec.ErrorMessage(text));
            return null;
        },
    };

    private readonly Option<string?> repeats = new("--repeats")
    {
        Description = "Runs per case and version, or auto: rounds of one repeat per case while a gated verdict is still open, up to --max-calls [default: the config's, else 1]",
        HelpName = "n|auto",
    };

    private readonly Option<int?> maxCalls = NumberOption.Create<int>("--max-calls", "With --repeats auto: the most calls (both versions, failed ones included) to spend [default: the config's max_calls]", "n", "a whole number");
    private readonly Option<int?> concurrency = NumberOption.Create<int>("--concurrency", "Gateway calls in flight [default: the config's, else 4]", "n", "a whole number");
    private readonly Option<long?> seed = NumberOption.Create<long>("--seed", "Request seeds' base and the bootstrap's seed [default: the config's]", "n", "a whole number");
    private readonly Option<bool> strict = new("--strict") { Description = "Make 'inconclusive' a verdict (exit 3) [default: the config's]" };
    private readonly Option<string?> cacheDir = new("--cache-dir") { Description = "Cache identical calls here [default: the config's cache_dir]", HelpName = "dir" };
    private readonly Option<string?> jsonReport = new("--json") { Description = "Also write the JSON report to this file", HelpName = "file" };
    private readonly Option<string?> junitReport = new("--junit") { Description = "Also write a JUnit XML report to this file", HelpName = "file" };
    private readonly Option<string?> markdownReport = new("--markdown") { Description = "Also write a Markdown report (for a PR comment) to this file", HelpName = "file" };
    private readonly Option<string?> htmlReport = new("--html") { Description = "Also write a self-contained HTML report (table, delta charts, worst cases) to this file", HelpName = "file" };

    private readonly Option<string?> gatewayKey = new("--gateway-key")
    {
        Description = $"A gateway key with the 'pin' permission [default: ${GatewayKeyVariable}]. Prefer the variable: flags end up in shell history",
        HelpName = "key",
    };

    private readonly Option<string?> embeddingModel = new("--embedding-model") { Description = "Catalog model for the 'similar' scorer's embeddings, called through the gateway", HelpName = "model" };
    private readonly Option<string?> judgeModel = new("--judge-model") { Description = "Catalog model that grades 'llm-rubric' assertions, called through the gateway", HelpName = "model" };
    private readonly Option<bool> stream = new("--stream") { Description = "Call the gateway with stream: true and read the SSE answer, so streamed behaviour, latency and billing are what gets gated" };
    private readonly Option<double?> maxErrorRate = NumberOption.Create<double>("--max-error-rate", "The share of calls per side that may fail before the run is incomplete (exit 2) [default: the config's, else 0.02]", "share", "a number");
    private readonly Option<bool> noStore = new("--no-store") { Description = "Do not record the run in the gateway (by default it is stored against the candidate version, for the release gate)" };

    private readonly Argument<string> listPrompt = new("prompt") { Description = "The prompt's name" };
    private readonly Argument<string> showPrompt = new("prompt") { Description = "The prompt's name" };
    private readonly Argument<string> runId = new("id") { Description = "The run's id (evr_…)" };
    private readonly Option<int?> listVersion = VersionNumber.OptionalOption("--version", "Only runs whose candidate is this version (3 or v3)");
    private readonly Option<int?> listLimit = NumberOption.Create<int>("--limit", "At most this many runs [default: 20]", "n", "a whole number");

    public Command Build()
    {
        var run = new Command("run", "Run a dataset on two versions of a prompt through the gateway and gate the candidate (exit 0 pass, 100 fail, 3 inconclusive, 2 error)")
        {
            config, prompt, candidate, baseline, repeats, maxCalls, concurrency, seed, strict, cacheDir, jsonReport, junitReport, markdownReport, htmlReport, gatewayKey, embeddingModel, judgeModel, stream, maxErrorRate, noStore,
        };
        run.Validators.Add(result =>
        {
            // The config's bounds: without the upper ones, --repeats 2000000000 overflowed the runner's work list.
            if (result.ValueOrDefault(repeats) is { } text && !IsAuto(text)
                && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= EvalConfig.MaxRepeats))
            {
                result.AddError($"--repeats '{text}' is neither a whole number from 1 to {EvalConfig.MaxRepeats} nor auto.");
            }

            if (result.ValueOrDefault(maxCalls) is { } calls && calls is not (>= 2 and <= EvalConfig.MaxCallsLimit))
            {
                result.AddError($"--max-calls must be from 2 to {EvalConfig.MaxCallsLimit}.");
            }

            if (result.ValueOrDefault(concurrency) is { } inFlight && inFlight is not (>= 1 and <= EvalConfig.MaxConcurrency))
            {
                result.AddError($"--concurrency must be from 1 to {EvalConfig.MaxConcurrency}.");
            }

            // The gateway refuses to store a run that allowed more (EvalRunCalls.MaxAllowedErrorRate): beyond a quarter
            // of calls failing, no verdict means anything.
            if (result.ValueOrDefault(maxErrorRate) is { } share && !(share is >= 0 and <= EvalConfig.MaxAllowedErrorRate))
            {
                result.AddError($"--max-error-rate is a share of calls from 0 to {EvalConfig.MaxAllowedErrorRate}, e.g. 0.02.");
            }
        });
        runner.Bind(run, RunAsync);

        var list = new Command("list", "Stored evaluation runs of a prompt, newest first") { listPrompt, listVersion, listLimit };
        runner.Bind(list, ListAsync);
        var show = new Command("show", "One stored evaluation run") { showPrompt, runId };
        runner.Bind(show, ShowAsync);

        return new Command("eval", "Evaluate prompt versions against datasets") { run, list, show };
    }

    private async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        // Before any call is paid for: a report that cannot be written is known now, not after the run.
        foreach (var file in new[] { jsonReport, junitReport, markdownReport, htmlReport }.Select(context.Value))
        {
            CheckWritable(file);
        }

        var loaded = await LoadAsync(context, cancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            return EvalExitCodes.Error;
        }

        var (evalConfig, datasets) = loaded.Value;
        var name = context.Value(prompt) is { Length: > 0 } p ? p.Trim() : evalConfig.Prompt
            ?? throw new UsageException("No prompt: pass --prompt or set 'prompt' in the eval config.");
        // Refuses '.' and '..' now: the first route built from the name may come after the run (storing it), or be one
        // whose failure only turns the cache off.
        _ = AdminRoutes.Prompt(name);
        var gatewayUrl = ConnectionSettings.ParseBaseUri(context.GatewayUrl is { Length: > 0 } url
            ? url
            : throw new UsageException($"No gateway URL: set {ConnectionSettings.UrlVariable} or pass --url (e.g. http://127.0.0.1:8080).", "missing_configuration"));
        var key = context.Value(gatewayKey) is { Length: > 0 } k ? k.Trim() : context.Environment(GatewayKeyVariable)?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            throw new UsageException($"No gateway key: set {GatewayKeyVariable} or pass --gateway-key (a key with the 'pin' permission).", "missing_configuration");
        }

        // Storing the run needs the admin API: a missing or malformed admin token is said now, before any call is paid
        // for (a numeric --baseline reads nothing from that API, so the run went on and was lost at its end, exit 2).
        if (!context.Value(noStore))
        {
            try
            {
                _ = context.Api;
            }
            catch (UsageException ex)
            {
                throw new UsageException($"{ex.Message} The run is stored through the admin API; pass --no-store to run without storing it.", ex.Code);
            }
        }

        var candidateVersion = context.Value(candidate);
        var baselineSpec = context.Value(baseline)!;
        int? baselineVersion = null;
        IReadOnlyDictionary<string, double>? thresholds = null;
        try
        {
            if (baselineSpec.IsNone)
            {
                thresholds = await ReadThresholdsAsync(context, name, candidateVersion, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                baselineVersion = await ResolveBaselineAsync(context, name, baselineSpec, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (GatewayRequestFailedException ex)
        {
            context.Errors.Report(ex, baselineSpec.IsNone ? "reading the candidate's eval.thresholds" : "resolving --baseline");
            return EvalExitCodes.Error;
        }
        catch (GatewayUnavailableException ex)
        {
            context.Errors.Report(ex.Message, ex.Code, baselineSpec.IsNone ? "reading the candidate's eval.thresholds" : "resolving --baseline");
            return EvalExitCodes.Unavailable;
        }

        // Redirects are not followed, as by the admin client: a followed POST is replayed as a GET, and a gateway URL that
        // redirects is a misconfiguration the preflight reports (with its Location) rather than a run against elsewhere.
        using var http = context.Handler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: true);
        http.Timeout = CallTimeout;
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"{CliVersion.ProductName}/{CliVersion.Current}");
        if (await GatewayPreflight.CheckAsync(http, gatewayUrl, key, cancellationToken).ConfigureAwait(false) is { } unusable)
        {
            context.Errors.Report(unusable.Message, unusable.Code, "checking the gateway before the run");
            return unusable.ExitCode;
        }

        var streamed = context.Value(stream);
        var executor = new GatewayCaseExecutor(http, new GatewayExecutorOptions { BaseUrl = gatewayUrl, ApiKey = key, Stream = streamed });
        var progress = new EvalProgress(context.Error, EvalProgress.IsTerminal(context.Error));
        // Embeddings and the judge go through the gateway too, with the same key; without a model the
        // scorers that need them report an error (never a pass).
        var embeddings = context.Value(embeddingModel) is { Length: > 0 } embedWith
            ? new CachingEmbeddingClient(new GatewayEmbeddingClient(http, gatewayUrl, key, embedWith))
            : null;
        var judge = context.Value(judgeModel) is { Length: > 0 } judgeWith ? new GatewayLlmJudge(http, gatewayUrl, key, judgeWith) : null;
        // Cached answers are keyed by the bundles' content ids, not only their version numbers: a restarted demo (or a
        // store that was reset) numbers different bundles the same. Without the ids nothing is cached.
        var bundleIds = evalConfig.CacheDirectory is null ? null : await ReadBundleIdsAsync(context, name, candidateVersion, baselineVersion, cancellationToken).ConfigureAwait(false);
        if (evalConfig.CacheDirectory is not null && bundleIds is null)
        {
            context.Error.WriteLine("cache_dir is not used in this run: the bundles' ids could not be read from the admin API (GATEWAY_ADMIN_TOKEN), and a version number alone does not name one bundle.");
        }

        var evalRunner = new EvalRunner(executor, ScorerRegistry.CreateDefault(embeddings, judge), new EvalRunnerOptions
        {
            Progress = progress.Report,
            CacheScope = CacheScope(gatewayUrl, streamed, bundleIds ?? []),
            UseCache = bundleIds is not null,
            CacheWriteFailed = progress.Warn,
        });

        RunResult result;
        try
        {
            result = await evalRunner.RunAsync(
                evalConfig,
                datasets,
                baselineVersion is { } b ? new PromptTarget(name, b) : null,
                new PromptTarget(name, candidateVersion),
                cancellationToken).ConfigureAwait(false);
        }
        catch (EvalConfigException ex)
        {
            ReportInvalid(context, ex.Errors, "invalid_dataset");
            return EvalExitCodes.Error;
        }
        catch (ExecutionCacheException ex)
        {
            // Opened before the first call: nothing is paid for yet. (A write failing later only stops the caching.)
            context.Errors.Report($"{ex.Message} Fix cache_dir (or --cache-dir), or leave it out to run uncached.", "unusable_cache_dir");
            return EvalExitCodes.Error;
        }
        catch (ArgumentException ex) when (ex.ParamName == "datasets")
        {
            // Two datasets with the same file name and a shared case id: the runner cannot tell their cases apart. (Only
            // that: any other ArgumentException is a bug, once reported as an invalid dataset, e.g. an overflowing --repeats.)
            context.Errors.Report(ex.Message, "invalid_dataset");
            return EvalExitCodes.Error;
        }

        var report = EvalReport.Create(result, thresholds);
        context.Out.Write(ConsoleReport.Render(report));

        // Most failures without any answer means the gateway went away mid-run: say so with the code every
        // other command uses for an unreachable gateway, and keep the evidence out of a store that is not there.
        // (Checked for a candidate-broke fail too: an outage that happened to hit the candidate's calls is not a verdict on
        // the candidate. A regression among the pairs measured is one, outage or not: it stays a fail, and is stored.)
        var unreachable = (report.Result == GateResult.Incomplete || (!result.Calls.Complete && !report.RegressedBeyondErrors))
            && UnreachableMostly(result);
        if (report.Result == GateResult.Incomplete || unreachable)
        {
            context.Errors.Report(report.IncompleteReason ?? "the run is incomplete: its bundle has no eval.thresholds to judge it on", unreachable ? "gateway_unreachable" : "incomplete_run");
        }
        else if (!result.Calls.Complete && report.IncompleteReason is { } failedCalls)
        {
            // A fail on an incomplete run: the failures behind it, as an incomplete run names them.
            context.Errors.Report(failedCalls, report.CandidateBroke ? "candidate_calls_failed" : "regressed_on_incomplete_run");
        }

        // The reports without an exit code are written before storing, so a store that hangs (or is interrupted) cannot
        // lose them. One that cannot be written (its folder removed during the run) is said, and the run is still
        // stored: it was paid for, and the release gate reads the stored run, not the files.
        var unwritten = false;
        foreach (var (file, render) in new (Option<string?> File, Func<byte[]> Render)[]
        {
            (junitReport, () => Encoding.UTF8.GetBytes(JUnitReport.Render(report))),
            (markdownReport, () => Encoding.UTF8.GetBytes(MarkdownReport.Render(report))),
            (htmlReport, () => Encoding.UTF8.GetBytes(HtmlReportRenderer.Render(report))),
        })
        {
            unwritten |= !TryWriteReport(context, context.Value(file), render);
        }

        int? storeFailure = null;
        if (!context.Value(noStore) && !unreachable)
        {
            var gitSha = EvalRunRecord.GitShaVariables.Select(context.Environment).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
            try
            {
                var stored = await context.Api.PostAsync(
                    AdminRoutes.EvalRuns(name), EvalRunRecord.Render(report, baselineSpec.Environment, gitSha), cancellationToken).ConfigureAwait(false);
                // An answer without a string id (a proxy's page, another version's shape) is said, not a crash after the run.
                var element = stored.ReadElement();
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("id", out var storedId) || storedId.ValueKind != JsonValueKind.String)
                {
                    throw GatewayResponse.Unexpected(new JsonException("the stored run's answer has no string 'id'"));
                }

                var id = storedId.GetString();
                context.Out.WriteLine($"Stored as {id} (gatewayctl eval show {name} {id}).");
            }
            catch (GatewayRequestFailedException ex)
            {
                // A run the gateway does not hold cannot open the release gate: fail now, not at release time.
                context.Errors.Report(ex, "storing the run (pass --no-store to skip)");
                storeFailure = EvalExitCodes.Error;
            }
            catch (GatewayUnavailableException ex)
            {
                context.Errors.Report(ex.Message, ex.Code, "storing the run (pass --no-store to skip)");
                storeFailure = EvalExitCodes.Unavailable;
            }
        }

        var exitCode = ExitCode(report, unreachable, storeFailure, unwritten);

        // Last, so that its exit_code is the one the process returns (storing and the other reports included). If it
        // cannot be written there is no JSON report to disagree with the code.
        if (!TryWriteReport(context, context.Value(jsonReport), () => JsonReport.Render(report, exitCode: exitCode)))
        {
            exitCode = ExitCode(report, unreachable, storeFailure, unwritten: true);
        }

        return exitCode;
    }

    /// <summary>
    /// The one rule: a gateway gone mid-run is 3; a FAIL is 100 whatever failed after the verdict (storing, a report), so a
    /// regression never reads as an error or as inconclusive in CI; otherwise a failed store is 2 (refused) or 3 (the
    /// gateway could not be reached), an unwritten report 2, and else the verdict's code. Failures are said on stderr.
    /// </summary>
    internal static int ExitCode(EvalReport report, bool unreachable, int? storeFailure, bool unwritten) =>
        unreachable ? EvalExitCodes.Unavailable
        : report.ExitCode == EvalExitCodes.Fail ? EvalExitCodes.Fail
        : storeFailure ?? (unwritten ? EvalExitCodes.Error : report.ExitCode);

    /// <summary>Writes a report if its option was given; false, with the reason said on stderr, if it could not be.</summary>
    private static bool TryWriteReport(CommandContext context, string? file, Func<byte[]> render)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return true;
        }

        byte[] content;
        try
        {
            content = render();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A report that cannot be rendered (a bug, or text a format cannot carry) is that report's failure alone: it
            // must not escape past storing the run, the other reports and the exit code of a verdict already paid for.
            context.Errors.Report($"Cannot render {file}: {ex.Message}", "unrenderable_report");
            return false;
        }

        try
        {
            WriteReport(file, content);
            return true;
        }
        catch (UsageException ex)
        {
            context.Errors.Report(ex.Message, ex.Code);
            return false;
        }
    }

    /// <summary>Refuses a report path whose folder does not exist, or that names a folder.</summary>
    private static void CheckWritable(string? file)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return;
        }

        var destination = Path.GetFullPath(file);
        if (Directory.Exists(destination))
        {
            throw new UsageException($"Cannot write {file}: it is a directory.", "unwritable_file");
        }

        if (Path.GetDirectoryName(destination) is { } folder && !Directory.Exists(folder))
        {
            throw new UsageException($"Cannot write {file}: the folder {folder} does not exist.", "unwritable_file");
        }
    }

    private static bool UnreachableMostly(RunResult result)
    {
        var errors = result.Errors;
        return errors.Count > 0 && errors.Count(r => r.Execution.Unreachable) * 2 > errors.Count;
    }

    /// <summary>The candidate bundle's <c>eval.thresholds</c>; a candidate-only run means nothing without them.</summary>
    private static async Task<IReadOnlyDictionary<string, double>> ReadThresholdsAsync(CommandContext context, string name, int version, CancellationToken cancellationToken)
    {
        var response = await context.Api.GetAsync(AdminRoutes.Version(name, version), cancellationToken).ConfigureAwait(false);
        var bundle = response.ReadElement();
        var thresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (bundle.ValueKind == JsonValueKind.Object
            && bundle.TryGetProperty("eval", out var eval) && eval.ValueKind == JsonValueKind.Object
            && eval.TryGetProperty("thresholds", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in values.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var value))
                {
                    thresholds[property.Name] = value;
                }
            }
        }

        return thresholds.Count > 0
            ? thresholds
            : throw new UsageException(
                $"--baseline none judges {name} v{version} on its bundle's eval.thresholds, and it has none. Add e.g. \"eval\": {{\"thresholds\": {{\"accuracy\": 0.9}}}} to the bundle, or compare with a version.",
                "no_thresholds");
    }

    private static bool IsAuto(string text) => string.Equals(text.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A version number means one bundle only on one gateway's store: another gateway (staging's v3 is not
    /// production's) never shares cached answers, nor do other bundles under the same numbers (a restarted demo's v3:
    /// the scope names the bundles' content ids), nor streamed calls (their latency and billing come from another path).
    /// </summary>
    internal static string CacheScope(Uri gatewayUrl, bool streamed, IReadOnlyList<string> bundleIds) =>
        (streamed ? "stream\n" : "") + "gateway:" + gatewayUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "\nbundles:" + string.Join(",", bundleIds);

    /// <summary>The candidate's and the baseline's versions with their bundles' content ids (SHA-256), <c>v2=…</c>; null when the admin API cannot say.</summary>
    private static async Task<IReadOnlyList<string>?> ReadBundleIdsAsync(CommandContext context, string name, int candidate, int? baseline, CancellationToken cancellationToken)
    {
        var ids = new List<string>(2);
        try
        {
            // In number order: the same two versions compared either way round share their answers.
            foreach (var version in (baseline is { } b ? new[] { candidate, b } : [candidate]).Order())
            {
                var bundle = (await context.Api.GetAsync(AdminRoutes.Version(name, version), cancellationToken).ConfigureAwait(false)).ReadElement();
                if (bundle.ValueKind != JsonValueKind.Object || !bundle.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } text)
                {
                    return null;
                }

                // The number with its id: a cached answer is keyed by its version's number, so the scope must say
                // which bundle each number was (candidate v2 = B and baseline v1 = A is not v1 = B and v2 = A).
                ids.Add(string.Create(CultureInfo.InvariantCulture, $"v{version}={text}"));
            }
        }
        catch (Exception ex) when (ex is GatewayRequestFailedException or GatewayUnavailableException or UsageException)
        {
            return null;
        }

        return ids;
    }

    private async Task<(EvalConfig Config, IReadOnlyList<EvalDataset> Datasets)?> LoadAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var path = context.Value(config)!;
        EvalConfig loaded;
        try
        {
            loaded = await EvalConfigReader.LoadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (EvalConfigException ex)
        {
            ReportInvalid(context, ex.Errors, "invalid_config", path);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Errors.Report($"Cannot read {path}: {ex.Message}", "unreadable_file");
            return null;
        }

        // Flags win over the config, so a CI job can turn up repeats or strictness without editing it.
        if (context.Value(baseline)!.IsNone && (context.Value(repeats) is { } autoAlone ? IsAuto(autoAlone) : loaded.AdaptiveMaxCalls is not null))
        {
            throw new UsageException("--repeats auto compares two versions; --baseline none judges the candidate alone on thresholds with fixed repeats.");
        }

        if (context.Value(repeats) is { } asked && IsAuto(asked) && context.Value(maxCalls) is null && loaded.AdaptiveMaxCalls is null)
        {
            throw new UsageException("--repeats auto needs --max-calls (or max_calls in the config): the most calls the run may spend, e.g. 20 × the number of cases.");
        }

        if (context.Value(maxCalls) is not null && !(context.Value(repeats) is { } auto ? IsAuto(auto) : loaded.AdaptiveMaxCalls is not null))
        {
            throw new UsageException("--max-calls only applies with --repeats auto (or repeats: auto in the config).");
        }

        loaded = loaded with
        {
            Repeats = context.Value(repeats) is { } fixedText && !IsAuto(fixedText) ? int.Parse(fixedText, CultureInfo.InvariantCulture) : loaded.Repeats,
            AdaptiveMaxCalls = context.Value(repeats) is { } repeatText
                ? IsAuto(repeatText) ? context.Value(maxCalls) ?? loaded.AdaptiveMaxCalls : null
                : context.Value(maxCalls) is { } budget && loaded.AdaptiveMaxCalls is not null ? budget : loaded.AdaptiveMaxCalls,
            Concurrency = context.Value(concurrency) ?? loaded.Concurrency,
            Seed = context.Value(seed) ?? loaded.Seed,
            Strict = context.Value(strict) || loaded.Strict,
            MaxErrorRate = context.Value(maxErrorRate) ?? loaded.MaxErrorRate,
            CacheDirectory = context.Value(cacheDir) is { Length: > 0 } dir ? Path.GetFullPath(dir) : loaded.CacheDirectory,
        };

        var datasets = new List<EvalDataset>();
        foreach (var file in loaded.Datasets)
        {
            try
            {
                datasets.Add(await DatasetReader.LoadAsync(file, cancellationToken).ConfigureAwait(false));
            }
            catch (DatasetFormatException ex)
            {
                context.Errors.Report(ex.Message, "invalid_dataset");
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                context.Errors.Report($"Cannot read {file}: {ex.Message}", "unreadable_file");
                return null;
            }
        }

        return (loaded, datasets);
    }

    private static async Task<int> ResolveBaselineAsync(CommandContext context, string name, BaselineSpec spec, CancellationToken cancellationToken)
    {
        if (spec.Version is { } version)
        {
            return version;
        }

        var environment = spec.Environment!;
        var response = await context.Api.GetAsync(AdminRoutes.Release(name, environment), cancellationToken).ConfigureAwait(false);
        var release = response.ReadElement();
        return release.ValueKind == JsonValueKind.Object
            && release.TryGetProperty("stable", out var stable)
            && stable.ValueKind == JsonValueKind.Number
            && stable.TryGetInt32(out var stableVersion)
            ? stableVersion
            : throw new UsageException($"{name} has no stable version in {environment}, so stable@{environment} names nothing. For a first version, pass --baseline none to judge it on its bundle's eval.thresholds.", "no_stable_release");
    }

    private async Task<int> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var promptName = context.Value(listPrompt);
        var version = context.Value(listVersion);
        var response = await context.Api.GetAsync(AdminRoutes.EvalRuns(promptName, version, context.Value(listLimit)), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var runs = response.ReadElement();
        if (runs.ValueKind != JsonValueKind.Array || runs.GetArrayLength() == 0)
        {
            context.Out.WriteLine($"No evaluation runs of {promptName}{(version is { } v ? $" v{v.ToString(CultureInfo.InvariantCulture)}" : "")}.");
            return ExitCodes.Success;
        }

        var table = new TextTable("ID", "CREATED", "CANDIDATE", "BASELINE", "VERDICT", "CALLS OK", "REGRESSED", "ACTOR");
        foreach (var r in runs.EnumerateArray())
        {
            table.AddRow(
                Text(r, "id"),
                Text(r, "created_at"),
                "v" + Version(r, "candidate"),
                BaselineText(r),
                Text(r, "verdict"),
                CallsText(r),
                string.Join(",", Regressed(r)),
                Text(r, "actor"));
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    private async Task<int> ShowAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var promptName = context.Value(showPrompt);
        var response = await context.Api.GetAsync(AdminRoutes.EvalRun(promptName, context.Value(runId)), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(response.Body);
            return ExitCodes.Success;
        }

        var r = response.ReadElement();
        context.Out.WriteLine($"{Text(r, "id")}  {promptName} v{Version(r, "candidate")} vs {BaselineText(r)}: {Text(r, "verdict")}");
        context.Out.WriteLine($"calls succeeded (baseline · candidate): {CallsText(r)}{(r.TryGetProperty("complete", out var complete) && complete.ValueKind == JsonValueKind.False ? ", incomplete" : "")}");
        context.Out.WriteLine($"created {Text(r, "created_at")} by {Text(r, "actor")}{(r.TryGetProperty("git_sha", out var sha) && sha.ValueKind == JsonValueKind.String ? $" at {sha.GetString()}" : "")}");
        if (r.TryGetProperty("datasets", out var datasets) && datasets.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in datasets.EnumerateArray())
            {
                context.Out.WriteLine($"dataset {Text(d, "id")} sha256:{Text(d, "sha256")}");
            }
        }

        var table = new TextTable("METRIC", "BASELINE", "CANDIDATE", "DELTA", "CI", "VERDICT", "N", "GATED");
        if (r.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in metrics.EnumerateArray())
            {
                table.AddRow(Text(m, "name"), Text(m, "baseline"), Text(m, "candidate"), Text(m, "delta"), $"[{Text(m, "ci_low")}, {Text(m, "ci_high")}]", Text(m, "verdict"), Text(m, "n"), Text(m, "gated"));
            }
        }

        table.WriteTo(context.Out);
        return ExitCodes.Success;
    }

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() ?? TextTable.Missing,
                JsonValueKind.Number => value.TryGetDouble(out var d) ? d.ToString("0.####", CultureInfo.InvariantCulture) : value.GetRawText(),
                JsonValueKind.Null or JsonValueKind.Undefined => TextTable.Missing,
                _ => value.GetRawText(),
            }
            : TextTable.Missing;

    /// <summary>"v3", or "thresholds" for a candidate-only run.</summary>
    private static string BaselineText(JsonElement run) =>
        run.TryGetProperty("baseline", out var b) && b.ValueKind == JsonValueKind.Object ? "v" + Text(b, "version") : "thresholds";

    /// <summary>"60/60 · 59/60": succeeded of total per side, baseline first; "-" for runs stored before calls were counted.</summary>
    private static string CallsText(JsonElement run)
    {
        if (!run.TryGetProperty("calls", out var calls) || calls.ValueKind != JsonValueKind.Object)
        {
            return TextTable.Missing;
        }

        static string Side(JsonElement calls, string side) =>
            calls.TryGetProperty(side, out var s) && s.ValueKind == JsonValueKind.Object
            && s.TryGetProperty("total", out var t) && t.TryGetInt32(out var total)
            && s.TryGetProperty("failed", out var f) && f.TryGetInt32(out var failed)
                ? $"{(total - failed).ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}"
                : "-";

        return $"{Side(calls, "baseline")} · {Side(calls, "candidate")}";
    }

    private static string Version(JsonElement run, string target) =>
        run.TryGetProperty(target, out var t) ? Text(t, "version") : TextTable.Missing;

    private static IEnumerable<string> Regressed(JsonElement run) =>
        run.TryGetProperty("metrics", out var metrics) && metrics.ValueKind == JsonValueKind.Array
            ? metrics.EnumerateArray().Where(m => Text(m, "verdict") == "regressed").Select(m => Text(m, "name"))
            : [];

    private static void ReportInvalid(CommandContext context, IReadOnlyList<string> errors, string code, string? subject = null)
    {
        context.Errors.Report(errors.Count == 1 ? errors[0] : $"{errors.Count.ToString(CultureInfo.InvariantCulture)} problems.", code, subject);
        if (errors.Count > 1)
        {
            foreach (var error in errors)
            {
                context.Error.WriteLine($"  {error}");
            }
        }
    }

    /// <summary>Writes through a temporary file, so a crash never leaves a half report where CI expects a whole one.</summary>
    private static void WriteReport(string file, byte[] content)
    {
        var destination = Path.GetFullPath(file);
        // A name of its own: a fixed one would overwrite a file of that name, and two runs writing one report would
        // write through the same temporary file.
        var temporary = $"{destination}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, destination, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Left behind; the error below is what matters.
            }

            throw new UsageException($"Cannot write {file}: {ex.Message}", "unwritable_file");
        }
    }
}
