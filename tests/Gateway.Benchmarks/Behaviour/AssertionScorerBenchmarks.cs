using System.Text.Json;
using BenchmarkDotNet.Attributes;
using LlmGateway.Eval.Scoring;
using LlmGateway.LoadTests.Evaluator;

namespace LlmGateway.Benchmarks.Behaviour;

/// <summary>
/// Where <see cref="SampleScorerBenchmarks"/>' time goes: each of the six online assertions alone, through
/// <see cref="ScorerRegistry.ScoreAsync"/> as <c>SampleScorer</c> calls it, on the same ~1.5 KB answer in prose
/// and as a JSON object. <c>is-refusal</c> is the built-in refusal metric every sample pays, bundle or not.
/// </summary>
[MemoryDiagnoser]
public class AssertionScorerBenchmarks
{
    private readonly ScorerRegistry _registry = ScorerRegistry.CreateDefault();
    private AssertionSpec _assertion = null!;
    private ScoringInput _input = null!;

    [Params("is-refusal", "is-json", "contains", "regex", "toxicity", "output-tokens")]
    public string Type { get; set; } = "is-refusal";

    [Params("prose", "json")]
    public string Answer { get; set; } = "prose";

    [GlobalSetup]
    public void Setup()
    {
        using var document = JsonDocument.Parse(EvaluatorSamples.AssertionsJson);
        var specs = document.RootElement.EnumerateArray().Select(e => AssertionSpec.FromJson(e.Clone())).ToList();
        _assertion = Type == "is-refusal" ? new AssertionSpec("is-refusal") : specs.Single(s => s.Type == Type);
        _input = new ScoringInput { Output = EvaluatorSamples.AnswerText(Answer == "json"), LatencyMs = 2318.4, CostUsd = 0.0002754m, OutputTokens = 356 };
        var result = Score();
        if (result.IsError)
        {
            throw new InvalidOperationException($"{Type} errored: {result.Reason}");
        }
    }

    [Benchmark]
    public ScoreResult Score()
    {
        var pending = _registry.ScoreAsync(_assertion, _input, CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("Scoring did not complete synchronously.");
    }
}
