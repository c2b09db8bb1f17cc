using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LlmGateway.Behaviour;
using LlmGateway.Contracts.Prompts;
using LlmGateway.Errors;
using LlmGateway.Eval.Scoring;
using LlmGateway.LoadTests.Evaluator;
using LlmGateway.Providers;
using LlmGateway.Sampling;
using LlmGateway.Serialization;

namespace LlmGateway.Benchmarks.Behaviour;

/// <summary>
/// What one online evaluator spends per sample outside the store (issue #16: one worker, one core, at least
/// 2,000 samples a second with the non-judge scorers): reading the stored record's JSON as
/// <c>SampleStore.GetAsync</c> does (a string, through <c>GatewayJsonContext</c>), and <see cref="SampleScorer"/>
/// with the built-in metrics only or with a bundle's six non-judge assertions. <c>DeserializeAndScore</c> is the
/// two together on a fresh record, the per-sample CPU a worker pays before the batch's one Lua step. The
/// scoring-only cases reuse one record: its request and input nodes, lazily materialised on first read,
/// are materialised after the first operation, which a fresh record pays (see <c>DeserializeAndScore</c>).
/// Samples per second = 1 / Mean.
/// </summary>
[MemoryDiagnoser]
public class SampleScorerBenchmarks
{
    private SampleScorer _scorer = null!;
    private OnlineEvalPlan _plan = null!;
    private SampleRecord _record = null!;
    private string _json = "";

    /// <summary><c>prose</c>: a plain-text answer (is-json fails); <c>json</c>: the same text as a JSON object's field (is-json passes).</summary>
    [Params("prose", "json")]
    public string Answer { get; set; } = "prose";

    [GlobalSetup]
    public void Setup()
    {
        _scorer = new SampleScorer(ScorerRegistry.CreateDefault());
        _plan = SixAssertionPlan();
        var json = Answer == "json";

        // The record as the store holds it (the sample writer's serialisation).
        _json = JsonSerializer.Serialize(EvaluatorSamples.Record(json, new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)), GatewayJsonContext.Default.SampleRecord);
        _record = DeserializeRecord();

        var builtIn = Read(Score(_record, OnlineEvalPlan.Empty));
        var all = Read(Score(DeserializeRecord(), _plan));
        Expect(builtIn, "error", 0, 11);
        Expect(all, "error", 0, 17);
        Expect(all, "message_count", 3, 17);
        Expect(all, "refusal", 0, 17);
        Expect(all, "non_latin_input", 0, 17);
        Expect(all, "format", json ? 1 : 0, 17);
        foreach (var metric in (string[])["mentions_refund", "cites_order", "answered", "toxic", "short_enough"])
        {
            Expect(all, metric, 1, 17);
        }

        Console.WriteLine($"// Sample JSON {System.Text.Encoding.UTF8.GetByteCount(_json)} B, answer {_record.Response.Text!.Length} chars; observations: built-in {builtIn.Count}, with the plan {all.Count}.");
    }

    [Benchmark(Baseline = true)]
    public int ScoreBuiltIn() => Score(_record, OnlineEvalPlan.Empty).Count;

    [Benchmark]
    public int ScoreSixAssertions() => Score(_record, _plan).Count;

    [Benchmark]
    public object Deserialize() => DeserializeRecord();

    [Benchmark]
    public int DeserializeAndScore() => Score(DeserializeRecord(), _plan).Count;

    /// <summary>
    /// The bundle's <c>online_eval</c> block of six non-judge assertions (<see cref="EvaluatorSamples.AssertionsJson"/>),
    /// read through <see cref="OnlineEvalPlan.Read"/> as a push is (throws if the block is refused).
    /// </summary>
    private static OnlineEvalPlan SixAssertionPlan()
    {
        using var document = JsonDocument.Parse(EvaluatorSamples.AssertionsJson);
        var block = new PromptOnlineEval { Assert = [.. document.RootElement.EnumerateArray().Select(e => e.Clone())] };
        var catalog = new ModelCatalog(new CatalogOptions
        {
            Providers = { ["openai"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.openai.com/v1" } },
            Models = { [EvaluatorSamples.Model] = new CatalogModelOptions { Provider = "openai" } },
        });
        var errors = new List<FieldError>();
        var plan = OnlineEvalPlan.Read(block, catalog, errors);
        if (plan is null || plan.Assertions.Count != 6 || plan.NeedsJudge)
        {
            throw new InvalidOperationException($"The plan does not read: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
        }

        return plan;
    }

    private SampleRecord DeserializeRecord() =>
        JsonSerializer.Deserialize(_json, GatewayJsonContext.Default.SampleRecord) ?? throw new InvalidOperationException("null record");

    // No judge: every scorer completes synchronously (Setup would throw otherwise), so the result is taken as an
    // await would take it, without a Task per operation.
    private IReadOnlyList<MetricObservation> Score(SampleRecord record, OnlineEvalPlan plan)
    {
        var pending = _scorer.ScoreAsync(record, plan, judge: null, CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("Scoring did not complete synchronously.");
    }

    private static Dictionary<string, MetricObservation> Read(IReadOnlyList<MetricObservation> observations) =>
        observations.ToDictionary(o => o.Metric, StringComparer.Ordinal);

    private static void Expect(Dictionary<string, MetricObservation> observations, string metric, double value, int count)
    {
        if (observations.Count != count || !observations.TryGetValue(metric, out var observation) || observation.Value != value)
        {
            throw new InvalidOperationException(
                $"Expected {count} observations with {metric} = {value}; got {string.Join(", ", observations.Values.Select(o => $"{o.Metric}={o.Value}"))}.");
        }
    }
}
