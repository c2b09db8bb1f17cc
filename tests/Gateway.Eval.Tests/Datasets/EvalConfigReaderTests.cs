using System.Text.Json;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;

namespace LlmGateway.Eval.Tests.Datasets;

public sealed class EvalConfigReaderTests
{
    // The README's example without its comments.
    internal const string Example = """
        description: Support reply prompt against the golden set
        prompt: support-reply
        datasets:
          - datasets/golden.jsonl
          - datasets/sampled.jsonl
        default_assert:
          - type: not-is-refusal
            metric: safety
          - type: not-toxicity
            metric: safety
        metrics:
          accuracy:                 # assertions with metric: accuracy
            max_regression: 0.02    # 2 points
          format:
            types: [is-json, contains-json, json-field]   # untagged assertions of these types
            max_regression: 0.01
          safety:
            max_regression: 0
          tone:
            aggregate: weighted-score
            max_regression: 0.05
            gated: false
          cost:                     # source inferred from the name
            max_regression: 0.10    # +10% of the baseline mean
          latency:
            max_regression: 0.25
            gated: false
        repeats: 3
        concurrency: 8
        seed: 42
        strict: false
        cache_dir: .eval-cache
        """;

    private static readonly string Base = Path.Combine(Path.GetTempPath(), "evalcfg");

    private static EvalConfig Parse(string yaml) => EvalConfigReader.Parse(yaml, Base, "eval.yaml", checkFilesExist: false);

    private static IReadOnlyList<string> Errors(string yaml) => Assert.Throws<EvalConfigException>(() => Parse(yaml)).Errors;

    [Fact]
    public void The_readme_example_parses_with_its_defaults()
    {
        var config = Parse(Example);

        Assert.Equal("support-reply", config.Prompt);
        Assert.Equal([Path.GetFullPath(Path.Combine(Base, "datasets/golden.jsonl")), Path.GetFullPath(Path.Combine(Base, "datasets/sampled.jsonl"))], config.Datasets);
        Assert.Equal(Path.GetFullPath(Path.Combine(Base, ".eval-cache")), config.CacheDirectory);
        Assert.Equal((3, 8, 42L, false), (config.Repeats, config.Concurrency, config.Seed, config.Strict));
        Assert.Equal(["not-is-refusal", "not-toxicity"], config.DefaultAssertions.Select(a => a.Type));

        var m = config.Metrics.ToDictionary(x => x.Name);
        Assert.Equal(["accuracy", "format", "safety", "tone", "cost", "latency"], config.Metrics.Select(x => x.Name));
        Assert.Equal(MetricKind.Rate, m["accuracy"].Kind);
        Assert.Equal(new MetricGate(MetricDirection.HigherIsBetter, 0.02, ToleranceKind.Absolute), m["accuracy"].Gate);
        Assert.Equal(MetricKind.Continuous, m["tone"].Kind);
        Assert.False(m["tone"].Gate.Gated);
        Assert.Equal(MetricSource.Cost, m["cost"].Source);
        Assert.Equal(new MetricGate(MetricDirection.LowerIsBetter, 0.10, ToleranceKind.Relative), m["cost"].Gate);
        Assert.Equal(MetricSource.Latency, m["latency"].Source);

        Assert.True(m["format"].IsFedBy(new AssertionSpec("not-is-json")));
        Assert.False(m["format"].IsFedBy(new AssertionSpec("is-json", Metric: "accuracy")));
        Assert.True(m["accuracy"].IsFedBy(new AssertionSpec("contains", Metric: "Accuracy")));
        Assert.True(m["safety"].IsFedBy(config.DefaultAssertions[0]));
        Assert.False(m["cost"].IsFedBy(new AssertionSpec("cost", Metric: "cost")));

        var options = config.ToComparisonOptions();
        Assert.Equal((42L, false, PairedBootstrap.DefaultResamples), (options.Seed, options.Strict, options.Resamples));
    }

    [Fact]
    public void The_example_in_the_readme_is_valid()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "src", "Gateway.Eval", "README.md")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var readme = File.ReadAllText(Path.Combine(dir.FullName, "src", "Gateway.Eval", "README.md"));
        var section = readme[readme.IndexOf("## Eval config", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        var config = Parse(yaml);

        Assert.Equal(["accuracy", "format", "safety", "tone", "cost", "latency"], config.Metrics.Select(x => x.Name));
        Assert.Equal(3, config.Repeats);
    }

    [Fact]
    public void A_minimal_config_takes_the_defaults()
    {
        var config = Parse("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.05\n");

        Assert.Equal((EvalConfig.DefaultRepeats, EvalConfig.DefaultConcurrency, 0L, false), (config.Repeats, config.Concurrency, config.Seed, config.Strict));
        Assert.Null(config.CacheDirectory);
        Assert.Equal(0.95, config.Confidence);
        Assert.Equal(PairedBootstrap.DefaultResamples, config.Resamples);
        Assert.Equal(2, config.SeedForRepeat(2));
    }

    [Theory]
    [InlineData("datasets: [a.jsonl]\nmetrics: {accuracy: {max_regression: 0.02}}\nrepets: 3", "repets (line 3): unknown key")]
    [InlineData("metrics: {accuracy: {max_regression: 0.02}}", "datasets: required")]
    [InlineData("datasets: []\nmetrics: {accuracy: {max_regression: 0.02}}", "datasets (line 1): must be a non-empty list")]
    [InlineData("datasets: [a.jsonl]", "metrics: required")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  latency:\n    tolerance: absolute", "metrics.latency.max_regression (line 4): required with an absolute tolerance")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    direction: up\n    max_regression: 0.1", "metrics.accuracy.direction (line 4): must be one of higher, lower")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: -1", "metrics.accuracy.max_regression (line 4): must be >= 0")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 2", "write 2 points as 0.02")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: lots", "metrics.accuracy.max_regression (line 4): must be a number")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  cost:\n    types: [cost]\n    max_regression: 0.1", "metrics.cost.types (line 4): only applies to a metric with source 'assertions', not 'cost'")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\n    gated: yes", "metrics.accuracy.gated (line 5): must be true or false")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\n    treshold: 1", "metrics.accuracy.treshold (line 5): unknown key")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\nrepeats: 0", "repeats (line 5): must be between 1 and 1000")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\nconcurrency: two", "concurrency (line 5): must be an integer")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\nconfidence: 95", "confidence (line 5): must be a level between 0.5 and 1")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\ndefault_assert:\n  - type: contains\n    weight: -1", "default_assert[0] (line 6): assertion 'contains': 'weight' must be a finite number >= 0")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\ndefault_assert:\n  - type: contains\n    metric: acuracy", "default_assert[0].metric (line 6): 'acuracy' is not a metric of this config")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  cost:\n    max_regression: 0.1\ndefault_assert:\n  - type: contains\n    metric: cost", "default_assert[0].metric (line 6): metric 'cost' is measured from the calls (cost), not from assertions")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\ndefault_assert:\n  - type: contains\n    metric: error-rate", "default_assert[0].metric (line 6): metric 'error-rate' is measured from the calls (errors), not from assertions")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  9lives:\n    max_regression: 0.1", "metrics.9lives (line 3): a metric name is")]
    [InlineData("datasets: [a.jsonl]\nmetrics:\n  ? [a, b]\n  : {max_regression: 0.1}", "metrics. (line 3): a metric name is")]
    public void Each_problem_names_its_field_path_and_line(string yaml, string expected)
    {
        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var errors = Errors("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    direction: sideways\n  cost:\n    max_regression: x\nrepeats: 0\nseed: abc\n");

        // direction, cost's max_regression, repeats, seed; a missing max_regression is no longer an error.
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Metrics_without_max_regression_get_their_kinds_default_and_the_error_rate_is_always_gated()
    {
        var config = EvalConfigReader.Parse(
            "datasets: [a.jsonl]\nmetrics:\n  accuracy: {}\n  cost: {}\n  latency: {}\n  output-tokens: {}\nmax_error_rate: 0.05\n", Base, checkFilesExist: false);

        var m = config.Metrics.ToDictionary(x => x.Name);
        Assert.Equal(DefaultTolerances.PassRate, m["accuracy"].Gate.Tolerance);
        Assert.Equal(ToleranceKind.Absolute, m["accuracy"].Gate.ToleranceKind);
        Assert.Equal(0.15, m["cost"].Gate.Tolerance);
        Assert.Equal(ToleranceKind.Relative, m["cost"].Gate.ToleranceKind);
        Assert.Equal(0.20, m["latency"].Gate.Tolerance);
        Assert.Equal(0.15, m["output-tokens"].Gate.Tolerance);
        Assert.Equal(0.05, config.MaxErrorRate);
        Assert.Equal(EvalConfig.ErrorRateMetric, config.AllMetrics[0].Name);
        Assert.Equal(0.01, config.ErrorRate.Gate.Tolerance);
        Assert.Equal(MetricDirection.LowerIsBetter, config.ErrorRate.Gate.Direction);
        Assert.True(config.ErrorRate.Gate.Gated);
    }

    [Fact]
    public void Assertion_values_in_the_config_keep_their_exact_numbers_and_yaml_types()
    {
        // One YAML reader for the CLI and the engine: numbers are never routed through double, dates stay strings.
        var config = EvalConfigReader.Parse(
            "datasets: [a.jsonl]\nmetrics: {accuracy: {}}\ndefault_assert:\n  - {type: equals, value: 12345678901234567890, metric: accuracy}\n  - {type: contains, value: 2026-11-01, metric: accuracy}\n  - {type: equals, value: 0x1F, metric: accuracy}\n",
            Base,
            checkFilesExist: false);

        Assert.Equal("12345678901234567890", config.DefaultAssertions[0].Value!.Value.GetRawText());
        Assert.Equal(JsonValueKind.String, config.DefaultAssertions[1].Value!.Value.ValueKind);
        Assert.Equal(31, config.DefaultAssertions[2].Value!.Value.GetInt32());
    }

    [Fact]
    public void Repeats_auto_takes_a_call_budget()
    {
        var config = EvalConfigReader.Parse("datasets: [a.jsonl]\nmetrics: {accuracy: {}}\nrepeats: auto\nmax_calls: 1200\n", Base, checkFilesExist: false);
        var missing = Errors("datasets: [a.jsonl]\nmetrics: {accuracy: {}}\nrepeats: auto\n");
        var misplaced = Errors("datasets: [a.jsonl]\nmetrics: {accuracy: {}}\nrepeats: 3\nmax_calls: 100\n");

        Assert.Equal(1200, config.AdaptiveMaxCalls);
        Assert.Contains(missing, e => e.Contains("'auto' needs 'max_calls'", StringComparison.Ordinal));
        Assert.Contains(misplaced, e => e.Contains("only applies with 'repeats: auto'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_error_rate_can_be_retuned_but_never_ungated()
    {
        var tuned = EvalConfigReader.Parse("datasets: [a.jsonl]\nmetrics:\n  error-rate: {max_regression: 0.03}\n", Base, checkFilesExist: false);
        var ungated = Errors("datasets: [a.jsonl]\nmetrics:\n  error-rate: {gated: false}\nmax_error_rate: 1.5\n");

        Assert.Equal(0.03, tuned.ErrorRate.Gate.Tolerance);
        Assert.Single(tuned.AllMetrics);
        Assert.Contains(ungated, e => e.Contains("always gated", StringComparison.Ordinal));
        Assert.Contains(ungated, e => e.StartsWith("max_error_rate", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("assertions", "error-rate")]
    [InlineData("cost", "error-rate")]
    [InlineData("assertions", "Error-Rate")]
    public void The_error_rates_name_is_refused_for_a_metric_of_another_source(string source, string name)
    {
        // AllMetrics adds the built-in error rate beside it: two metrics of one name, which used to crash the run after
        // its first calls were paid for.
        var errors = Errors($"datasets: [a.jsonl]\nmetrics:\n  {name}:\n    source: {source}\n    max_regression: 0.1\n");

        Assert.Contains(errors, e => e.StartsWith($"metrics.{name}.source (line 4): '{name}' is the error rate's name", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_yaml_and_a_non_mapping_root_are_errors()
    {
        Assert.Contains("not valid YAML", Assert.Single(Errors("datasets: [a.jsonl\nmetrics: {")), StringComparison.Ordinal);
        Assert.Contains("expected one YAML document that is a mapping", Assert.Single(Errors("- a\n- b\n")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error()
    {
        var errors = Errors("datasets: [a.jsonl]\nmetrics:\n  accuracy:\n    max_regression: 0.1\n  accuracy:\n    max_regression: 0.2\n");

        Assert.Contains(errors, e => e.Contains("not valid YAML", StringComparison.Ordinal) || e.Contains("appears twice", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_dataset_file_is_an_error_when_files_are_checked()
    {
        var ex = Assert.Throws<EvalConfigException>(() => EvalConfigReader.Parse("datasets: [nope.jsonl]\nmetrics: {accuracy: {max_regression: 0.1}}", Base));

        Assert.Contains(ex.Errors, e => e.StartsWith("datasets[0] (line 1): file not found", StringComparison.Ordinal));
    }

    [Fact]
    public void Yaml_scalars_in_assertions_keep_their_types()
    {
        var config = Parse("""
            datasets: [a.jsonl]
            metrics: {accuracy: {max_regression: 0.1}}
            default_assert:
              - type: equals
                value: "42"
              - type: equals
                value: 42
              - type: json-field
                value: {path: $.ok, equals: true}
              - type: contains-any
                value: [a, b]
                threshold: 0.5
            """);

        Assert.Equal(JsonValueKind.String, config.DefaultAssertions[0].Value!.Value.ValueKind);
        Assert.Equal(JsonValueKind.Number, config.DefaultAssertions[1].Value!.Value.ValueKind);
        Assert.Equal(JsonValueKind.True, config.DefaultAssertions[2].Value!.Value.GetProperty("equals").ValueKind);
        Assert.Equal(2, config.DefaultAssertions[3].Value!.Value.GetArrayLength());
        Assert.Equal(0.5, config.DefaultAssertions[3].Threshold);
    }

    [Fact]
    public async Task Load_resolves_paths_against_the_config_directory()
    {
        var dir = Directory.CreateTempSubdirectory("evalcfg-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "golden.jsonl"), "{\"id\":\"a\",\"vars\":{}}\n", TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(dir, "eval.yaml"), "datasets: [golden.jsonl]\nmetrics: {accuracy: {max_regression: 0.1}}\n", TestContext.Current.CancellationToken);

            var config = await EvalConfigReader.LoadAsync(Path.Combine(dir, "eval.yaml"), TestContext.Current.CancellationToken);

            Assert.Equal(Path.Combine(dir, "golden.jsonl"), Assert.Single(config.Datasets));
            Assert.Equal(Path.Combine(dir, "eval.yaml"), config.SourcePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
