using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Contracts.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmGateway.Eval.Datasets;

/// <summary>
/// Reads and validates the YAML eval config (example in the README). Every problem is collected with its field
/// path and line, and unknown keys are errors: a misspelt <c>max_regresion</c> must not silently leave a gate at
/// its default.
/// </summary>
internal static partial class EvalConfigReader
{

    private static readonly string[] TopLevelKeys =
        ["description", "prompt", "datasets", "default_assert", "metrics", "repeats", "concurrency", "seed", "strict", "cache_dir", "resamples", "confidence", "max_error_rate", "max_calls"];

    private static readonly string[] MetricKeys =
        ["description", "source", "assertion_metric", "types", "aggregate", "direction", "max_regression", "tolerance", "gated"];

    /// <summary>Loads a config file; dataset and cache paths are relative to its directory.</summary>
    /// <exception cref="EvalConfigException">The config is invalid; <see cref="EvalConfigException.Errors"/> lists why.</exception>
    public static async Task<EvalConfig> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        var yaml = await File.ReadAllTextAsync(fullPath, cancellationToken).ConfigureAwait(false);
        return Parse(yaml, Path.GetDirectoryName(fullPath)!, Path.GetFileName(fullPath)) with { SourcePath = fullPath };
    }

    /// <summary>Parses config text; <paramref name="baseDirectory"/> anchors relative paths.</summary>
    /// <param name="checkFilesExist">Whether a dataset that does not exist is an error (off for tests of the shape alone).</param>
    /// <exception cref="EvalConfigException">The config is invalid.</exception>
    public static EvalConfig Parse(string yaml, string baseDirectory, string sourceName = "eval config", bool checkFilesExist = true)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        var errors = new List<string>();
        YamlStream stream;
        try
        {
            stream = LlmGateway.Contracts.Yaml.YamlNesting.Load(yaml);
        }
        catch (YamlException ex)
        {
            throw new EvalConfigException(sourceName, [$"(line {ex.Start.Line.ToString(CultureInfo.InvariantCulture)}): not valid YAML: {ex.Message}"]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws these, without a position, for some truncated documents and duplicate keys.
            throw new EvalConfigException(sourceName, [$"(root): not valid YAML: {ex.Message}"]);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new EvalConfigException(sourceName, ["(root): expected one YAML document that is a mapping of config keys"]);
        }

        var config = Read(root, baseDirectory, checkFilesExist, errors);
        return errors.Count > 0 ? throw new EvalConfigException(sourceName, errors) : config!;
    }

    private static EvalConfig? Read(YamlMappingNode root, string baseDirectory, bool checkFilesExist, List<string> errors)
    {
        var map = Keys(root, string.Empty, TopLevelKeys, errors);
        var prompt = map.TryGetValue("prompt", out var p) ? String(p, "prompt", errors) : null;
        var datasets = new List<string>();
        if (!map.TryGetValue("datasets", out var datasetsNode))
        {
            errors.Add("datasets: required; list the dataset files (JSONL, or promptfoo YAML/CSV test files), relative to the config");
        }
        else if (datasetsNode is not YamlSequenceNode datasetList || datasetList.Children.Count == 0)
        {
            Error(errors, "datasets", datasetsNode, "must be a non-empty list of file paths");
        }
        else
        {
            for (var i = 0; i < datasetList.Children.Count; i++)
            {
                var path = $"datasets[{i}]";
                if (String(datasetList.Children[i], path, errors) is not { } relative)
                {
                    continue;
                }

                var full = Path.GetFullPath(Path.Combine(baseDirectory, relative));
                if (checkFilesExist && !File.Exists(full))
                {
                    Error(errors, path, datasetList.Children[i], $"file not found: {full}");
                }
                else if (datasets.Contains(full, StringComparer.Ordinal))
                {
                    Error(errors, path, datasetList.Children[i], $"'{relative}' is listed twice");
                }
                else
                {
                    datasets.Add(full);
                }
            }
        }

        var metrics = new List<MetricDefinition>();
        if (!map.TryGetValue("metrics", out var metricsNode))
        {
            errors.Add("metrics: required; name at least one metric (e.g. accuracy) and its gate");
        }
        else if (metricsNode is not YamlMappingNode metricMap || metricMap.Children.Count == 0)
        {
            Error(errors, "metrics", metricsNode, "must be a non-empty mapping of metric name to its definition");
        }
        else
        {
            foreach (var (keyNode, valueNode) in metricMap.Children)
            {
                var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (!MetricName().IsMatch(name))
                {
                    Error(errors, $"metrics.{name}", keyNode, "a metric name is letters, digits, '_', '-' or '.', starting with a letter");
                    continue;
                }

                if (ReadMetric(name, valueNode, errors) is { } metric)
                {
                    metrics.Add(metric);
                }
            }
        }

        var defaults = new List<AssertionSpec>();
        if (map.TryGetValue("default_assert", out var defaultsNode))
        {
            if (defaultsNode is not YamlSequenceNode list)
            {
                Error(errors, "default_assert", defaultsNode, "must be a list of assertions");
            }
            else
            {
                // One budget for the file's assertions: aliases repeating one cannot multiply what the file expands to.
                var budget = new YamlExpansionBudget();
                for (var i = 0; i < list.Children.Count; i++)
                {
                    if (Assertion(list.Children[i], $"default_assert[{i}]", errors, budget) is { } spec)
                    {
                        if (spec.Metric is { } named && metrics.Count > 0 && !metrics.Exists(m => m.AcceptsMetricName(named)))
                        {
                            Error(errors, $"default_assert[{i}].metric", list.Children[i],
                                (metrics.Find(m => string.Equals(m.Name, named, StringComparison.OrdinalIgnoreCase))
                                    ?? (string.Equals(named, EvalConfig.ErrorRateMetric, StringComparison.OrdinalIgnoreCase) && !metrics.Exists(m => m.Source == MetricSource.Errors) ? EvalConfig.DefaultErrorRate : null)) is { } taken
                                    ? MetricDefinition.NotFedByAssertions(taken)
                                    : $"'{named}' is not a metric of this config (metrics: {string.Join(", ", metrics.Select(m => m.Name))})");
                        }

                        defaults.Add(spec);
                    }
                }
            }
        }

        // "repeats: auto" spends calls round by round where a verdict is still open, up to max_calls.
        var adaptive = map.TryGetValue("repeats", out var r) && r is YamlScalarNode { Value: "auto" };
        var repeats = adaptive ? 1 : map.TryGetValue("repeats", out r) ? Integer(r, "repeats", 1, EvalConfig.MaxRepeats, errors) ?? 1 : EvalConfig.DefaultRepeats;
        int? maxCalls = null;
        if (map.TryGetValue("max_calls", out var mc))
        {
            maxCalls = (int?)Integer(mc, "max_calls", 2, EvalConfig.MaxCallsLimit, errors);
            if (!adaptive)
            {
                Error(errors, "max_calls", mc, "only applies with 'repeats: auto'");
            }
        }
        else if (adaptive)
        {
            Error(errors, "repeats", r!, "'auto' needs 'max_calls': the most calls (both versions) the run may spend, e.g. 20 × the number of cases");
        }

        var concurrency = map.TryGetValue("concurrency", out var c) ? Integer(c, "concurrency", 1, EvalConfig.MaxConcurrency, errors) ?? 1 : EvalConfig.DefaultConcurrency;
        var seed = map.TryGetValue("seed", out var s) ? Integer(s, "seed", long.MinValue, long.MaxValue, errors) ?? 0 : 0;
        var strict = map.TryGetValue("strict", out var st) && (Boolean(st, "strict", errors) ?? false);
        var resamples = map.TryGetValue("resamples", out var rs) ? (int)(Integer(rs, "resamples", 100, 1_000_000, errors) ?? 100) : PairedBootstrap.DefaultResamples;
        var confidence = PairedBootstrap.DefaultConfidence;
        if (map.TryGetValue("confidence", out var cf) && Number(cf, "confidence", errors) is { } level)
        {
            if (level is > 0.5 and < 1)
            {
                confidence = level;
            }
            else
            {
                Error(errors, "confidence", cf, "must be a level between 0.5 and 1, e.g. 0.95");
            }
        }

        var maxErrorRate = EvalConfig.DefaultMaxErrorRate;
        if (map.TryGetValue("max_error_rate", out var me) && Number(me, "max_error_rate", errors) is { } share)
        {
            if (share is >= 0 and <= EvalConfig.MaxAllowedErrorRate)
            {
                maxErrorRate = share;
            }
            else
            {
                Error(errors, "max_error_rate", me, $"must be a share of calls from 0 to {EvalConfig.MaxAllowedErrorRate}, e.g. 0.02 for 2%");
            }
        }

        string? cacheDirectory = null;
        if (map.TryGetValue("cache_dir", out var cd) && String(cd, "cache_dir", errors) is { } relativeCache)
        {
            cacheDirectory = Path.GetFullPath(Path.Combine(baseDirectory, relativeCache));
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new EvalConfig
        {
            Prompt = prompt,
            Datasets = datasets,
            DefaultAssertions = defaults,
            Metrics = metrics,
            Repeats = (int)repeats,
            Concurrency = (int)concurrency,
            Seed = seed,
            Strict = strict,
            CacheDirectory = cacheDirectory,
            Resamples = resamples,
            Confidence = confidence,
            MaxErrorRate = maxErrorRate,
            AdaptiveMaxCalls = maxCalls,
        };
    }

    private static MetricDefinition? ReadMetric(string name, YamlNode node, List<string> errors)
    {
        var at = $"metrics.{name}";
        if (node is not YamlMappingNode mapping)
        {
            Error(errors, at, node, "must be a mapping (source, max_regression, direction, …)");
            return null;
        }

        var before = errors.Count;
        var map = Keys(mapping, at, MetricKeys, errors);

        // A metric named cost/latency/output-tokens reads that figure unless told otherwise: the obvious meaning.
        var source = name.ToLowerInvariant() switch
        {
            EvalConfig.ErrorRateMetric or "error_rate" or "errors" => MetricSource.Errors,
            "cost" => MetricSource.Cost,
            "latency" => MetricSource.Latency,
            "output-tokens" or "output_tokens" => MetricSource.OutputTokens,
            _ => MetricSource.Assertions,
        };
        if (map.TryGetValue("source", out var sourceNode))
        {
            source = Choice(sourceNode, $"{at}.source", errors, ("assertions", MetricSource.Assertions), ("cost", MetricSource.Cost), ("latency", MetricSource.Latency), ("output-tokens", MetricSource.OutputTokens), ("errors", MetricSource.Errors)) ?? source;
        }

        // The error rate is always measured under its name (EvalConfig.AllMetrics adds it when no metric has its
        // source): a metric of another source under that name would be a second metric of the same name.
        if (string.Equals(name, EvalConfig.ErrorRateMetric, StringComparison.OrdinalIgnoreCase) && source != MetricSource.Errors)
        {
            Error(errors, $"{at}.source", sourceNode ?? mapping, $"'{name}' is the error rate's name, measured from the calls (source errors); give a metric of source '{SourceName(source)}' another name");
        }

        var fromAssertions = source == MetricSource.Assertions;
        string? assertionMetric = null;
        var types = new List<string>();
        var aggregate = MetricAggregate.AllPass;
        foreach (var key in new[] { "assertion_metric", "types", "aggregate" })
        {
            if (!fromAssertions && map.TryGetValue(key, out var misplaced))
            {
                Error(errors, $"{at}.{key}", misplaced, $"only applies to a metric with source 'assertions', not '{SourceName(source)}'");
            }
        }

        if (fromAssertions)
        {
            if (map.TryGetValue("assertion_metric", out var am))
            {
                assertionMetric = String(am, $"{at}.assertion_metric", errors);
            }

            if (map.TryGetValue("types", out var typesNode))
            {
                if (typesNode is not YamlSequenceNode typeList || typeList.Children.Count == 0)
                {
                    Error(errors, $"{at}.types", typesNode, "must be a non-empty list of assertion types");
                }
                else
                {
                    for (var i = 0; i < typeList.Children.Count; i++)
                    {
                        if (String(typeList.Children[i], $"{at}.types[{i}]", errors) is { } type)
                        {
                            types.Add(type.Trim());
                        }
                    }
                }
            }

            if (map.TryGetValue("aggregate", out var ag))
            {
                aggregate = Choice(ag, $"{at}.aggregate", errors, ("all-pass", MetricAggregate.AllPass), ("weighted-score", MetricAggregate.WeightedScore)) ?? aggregate;
            }
        }

        var direction = fromAssertions ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter;
        var errorRate = source == MetricSource.Errors;
        if (map.TryGetValue("direction", out var d))
        {
            direction = Choice(d, $"{at}.direction", errors, ("higher", MetricDirection.HigherIsBetter), ("lower", MetricDirection.LowerIsBetter)) ?? direction;
        }

        // Rates and scores share one scale across prompts, so points are meaningful; cost and latency do not.
        var toleranceKind = fromAssertions || errorRate ? ToleranceKind.Absolute : ToleranceKind.Relative;
        if (map.TryGetValue("tolerance", out var tk))
        {
            toleranceKind = Choice(tk, $"{at}.tolerance", errors, ("absolute", ToleranceKind.Absolute), ("relative", ToleranceKind.Relative)) ?? toleranceKind;
        }

        // Without max_regression a metric gets its kind's practical default rather than an error: a first config
        // should gate something sensible without tuning (see DefaultTolerances).
        var tolerance = toleranceKind == ToleranceKind.Absolute && !fromAssertions && !errorRate ? 0 : DefaultTolerances.For(source);
        if (map.TryGetValue("max_regression", out var mr) && Number(mr, $"{at}.max_regression", errors) is { } value)
        {
            if (value < 0)
            {
                Error(errors, $"{at}.max_regression", mr, "must be >= 0");
            }
            else if (toleranceKind == ToleranceKind.Absolute && (fromAssertions || errorRate) && value > 1)
            {
                Error(errors, $"{at}.max_regression", mr, $"{value.ToString(CultureInfo.InvariantCulture)} is more than the whole [0, 1] range of a rate; write 2 points as 0.02");
            }
            else
            {
                tolerance = value;
            }
        }
        else if (!map.ContainsKey("max_regression") && toleranceKind == ToleranceKind.Absolute && !fromAssertions && !errorRate)
        {
            Error(errors, $"{at}.max_regression", mapping, "required with an absolute tolerance on cost, latency or output tokens (in their own units)");
        }

        if (errorRate)
        {
            if (direction != MetricDirection.LowerIsBetter)
            {
                Error(errors, $"{at}.direction", d!, "the error rate is always lower-is-better");
            }

            if (map.TryGetValue("gated", out var errorGated) && Boolean(errorGated, $"{at}.gated", errors) == false)
            {
                Error(errors, $"{at}.gated", errorGated, "the error rate is always gated: a candidate that fails more calls must not pass");
            }
        }

        var gated = !map.TryGetValue("gated", out var g) || (Boolean(g, $"{at}.gated", errors) ?? true);
        if (errors.Count > before)
        {
            return null;
        }

        return new MetricDefinition
        {
            Name = name,
            Source = source,
            AssertionMetric = assertionMetric,
            AssertionTypes = types,
            Aggregate = aggregate,
            Gate = new MetricGate(direction, tolerance, toleranceKind, gated),
        };
    }

    private static string SourceName(MetricSource source) => source switch
    {
        MetricSource.Cost => "cost",
        MetricSource.Latency => "latency",
        MetricSource.OutputTokens => "output-tokens",
        _ => "assertions",
    };

    private static AssertionSpec? Assertion(YamlNode node, string at, List<string> errors, YamlExpansionBudget budget)
    {
        if (node is not YamlMappingNode)
        {
            Error(errors, at, node, "must be an assertion mapping (type, value, weight, metric, threshold)");
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(YamlToJsonConverter.ConvertNode(node, budget));
            return AssertionSpec.FromJson(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or YamlConversionException)
        {
            Error(errors, at, node, ex.Message);
            return null;
        }
    }

    private static Dictionary<string, YamlNode> Keys(YamlMappingNode mapping, string at, string[] allowed, List<string> errors)
    {
        var map = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var path = at.Length == 0 ? key : $"{at}.{key}";
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                Error(errors, path, keyNode, $"unknown key; expected one of {string.Join(", ", allowed)}");
            }
            else if (!map.TryAdd(key, value))
            {
                Error(errors, path, keyNode, "appears twice");
            }
        }

        return map;
    }

    private static string? String(YamlNode node, string at, List<string> errors)
    {
        if (node is YamlScalarNode { Value: { } value } && !string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        Error(errors, at, node, "must be a non-empty string");
        return null;
    }

    private static long? Integer(YamlNode node, string at, long min, long max, List<string> errors)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }

            Error(errors, at, node, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {text}");
            return null;
        }

        Error(errors, at, node, "must be an integer");
        return null;
    }

    private static double? Number(YamlNode node, string at, List<string> errors)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        Error(errors, at, node, "must be a number");
        return null;
    }

    private static bool? Boolean(YamlNode node, string at, List<string> errors)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        Error(errors, at, node, "must be true or false");
        return null;
    }

    private static T? Choice<T>(YamlNode node, string at, List<string> errors, params (string Name, T Value)[] choices)
        where T : struct
    {
        if (node is YamlScalarNode { Value: { } text })
        {
            foreach (var (name, value) in choices)
            {
                if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }
        }

        Error(errors, at, node, $"must be one of {string.Join(", ", choices.Select(c => c.Name))}");
        return null;
    }

    private static void Error(List<string> errors, string at, YamlNode node, string message) =>
        errors.Add($"{at} (line {node.Start.Line.ToString(CultureInfo.InvariantCulture)}): {message}");

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex MetricName();
}
