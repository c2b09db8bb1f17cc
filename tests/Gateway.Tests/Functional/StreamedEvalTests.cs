using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// An evaluation through the gateway's SSE path (<c>gatewayctl eval run --stream</c>) against the mock provider: the
/// same answers as the non-streamed path, and the cost the gateway billed for the stream, read from its usage comment.
/// </summary>
public sealed class StreamedEvalTests(TestEnvironment env)
{
    private const int Cases = 4;
    private const string SystemMessage = "You are Acme support.";

    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_streamed_eval_scores_the_same_text_as_a_non_streamed_one_at_the_billed_cost()
    {
        var name = Bundles.UniqueName("eval-stream");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [$$"""{"name":"{{name}}","model":"gpt-4o-mini","messages":[{"role":"system","content":"{{SystemMessage}}"}]}"""]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var dataset = DatasetReader.Parse(
            Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(1, Cases).Select(i =>
                $$"""{"id":"c{{i}}","messages":[{"role":"user","content":"question {{i}}"}],"assert":[{"type":"icontains","value":"acme","metric":"accuracy"}]}"""))),
            "golden.jsonl");

        var plain = await RunAsync(name, key, dataset, stream: false);
        var streamed = await RunAsync(name, key, dataset, stream: true);

        Assert.Empty(plain.Records.Where(r => r.IsError).Select(r => r.Execution.Error));
        Assert.Empty(streamed.Records.Where(r => r.IsError).Select(r => r.Execution.Error));
        Assert.Equal(Cases * 2, streamed.Records.Count);
        foreach (var record in streamed.Records)
        {
            var question = $"question {record.Case.Case.Id[1..]}";
            var reply = $"mock reply to model=gpt-4o-mini system={SystemMessage} user={question}";
            var counterpart = plain.Get(record.Case.Index, record.Repeat, record.Side).Execution;
            var execution = record.Execution;

            Assert.Equal(reply, execution.Output);
            Assert.Equal(counterpart.Output, execution.Output);
            Assert.True(record.Passed);

            // The mock counts each message's text with o200k_base and no framing; the test gateway prices gpt-4o-mini at
            // $0.15 / $0.60 per million input / output tokens.
            var input = O200k.CountTokens(SystemMessage) + O200k.CountTokens(question);
            var output = O200k.CountTokens(reply);
            Assert.Equal(((input * 0.15m) + (output * 0.60m)) / 1_000_000m, execution.CostUsd);
            Assert.Equal(counterpart.CostUsd, execution.CostUsd);
            Assert.Equal(output, execution.OutputTokens);
            Assert.Equal((name, 1), (execution.ServedPrompt, execution.ServedVersion));
            Assert.True(execution.LatencyMs > 0);
        }
    }

    [Fact]
    public async Task A_stream_the_provider_cuts_is_a_failed_call_and_never_scored()
    {
        var name = Bundles.UniqueName("eval-cut");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [$$"""{"name":"{{name}}","model":"gpt-4o-mini","messages":[{"role":"system","content":"{{SystemMessage}}"}]}"""]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        var dataset = DatasetReader.Parse(
            Encoding.UTF8.GetBytes("""{"id":"c1","messages":[{"role":"user","content":"question 1"}],"assert":[{"type":"icontains","value":"acme","metric":"accuracy"}]}"""),
            "golden.jsonl");

        // The mock aborts every stream after two content chunks; the gateway ends it with its upstream_stream_cut event.
        var result = await RunAsync(name, key, dataset, stream: true, ("x-mock-cut-after", "2"));

        Assert.Equal(2, result.Records.Count);
        Assert.All(result.Records, record =>
        {
            Assert.True(record.IsError);
            Assert.False(record.Passed);
            Assert.Equal(string.Empty, record.Execution.Output);
            Assert.Contains("The provider's stream ended before the response was complete", record.Execution.Error, StringComparison.Ordinal);
        });
    }

    private async Task<RunResult> RunAsync(string name, string key, EvalDataset dataset, bool stream, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient();
        foreach (var (header, value) in headers)
        {
            http.DefaultRequestHeaders.Add(header, value);
        }

        var executor = new GatewayCaseExecutor(http, new GatewayExecutorOptions { BaseUrl = env.Gateway.BaseUrl, ApiKey = key, Stream = stream });
        var config = new EvalConfig
        {
            Datasets = ["golden.jsonl"],
            Metrics = [new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) }],
            Seed = 7,
        };
        var target = new PromptTarget(name, 1);
        // One quick retry: enough to show a cut is retried as transient, without the default backoff's seconds.
        var options = new EvalRunnerOptions { Retry = new CaseRetryOptions { MaxRetries = 1, BaseDelay = TimeSpan.Zero } };
        return await new EvalRunner(executor, ScorerRegistry.CreateDefault(), options).RunAsync(config, [dataset], target, target, Ct);
    }
}
