using System.Text;
using LlmGateway.Eval.Datasets;
using LlmGateway.Eval.Running;
using LlmGateway.Eval.Scoring;
using LlmGateway.Eval.Statistics;
using LlmGateway.Tests.Infrastructure;

namespace LlmGateway.Tests.Functional;

/// <summary>
/// One dataset mixing single-turn cases (vars fill the bundle's templates) and multi-turn cases (their conversation
/// follows the bundle's system message, without the variables only the user template reads), evaluated through the
/// real gateway with no errors. The mock echoes the system message and the last user message, so each case can assert
/// exactly what the provider was sent.
/// </summary>
public sealed class MixedDatasetEvalTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Dataset = """
        {"id":"single-default","vars":{"order":"A-1","question":"Where is it?"},"assert":[{"type":"equals","value":"mock reply to model=gpt-4o-mini system=You are Acme support. user=Order A-1: Where is it?","metric":"accuracy"}]}
        {"id":"single-company","vars":{"company":"Globex","order":"B-2","question":"Refund?"},"assert":[{"type":"equals","value":"mock reply to model=gpt-4o-mini system=You are Globex support. user=Order B-2: Refund?","metric":"accuracy"}]}
        {"id":"multi-no-vars","messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello! How can I help?"},{"role":"user","content":"Cancel my order"}],"assert":[{"type":"equals","value":"mock reply to model=gpt-4o-mini system=You are Acme support. user=Cancel my order","metric":"accuracy"}]}
        {"id":"multi-company","vars":{"company":"Globex"},"messages":[{"role":"user","content":"Hi"}],"assert":[{"type":"equals","value":"mock reply to model=gpt-4o-mini system=You are Globex support. user=Hi","metric":"accuracy"}]}
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_dataset_of_single_and_multi_turn_cases_runs_with_no_errors(bool stream)
    {
        var name = Bundles.UniqueName("eval-mixed");
        await PromptSetup.ReleaseAsync(env.Gateway, name, [$$"""
            {"name":"{{name}}","model":"gpt-4o-mini",
             "messages":[{"role":"system","content":"You are {{ "{{ company }}" }} support."},{"role":"user","content":"Order {{ "{{ order }}" }}: {{ "{{ question }}" }}"}],
             "variables":[{"name":"company","default":"Acme"},{"name":"order","required":true},{"name":"question","required":true}]}
            """]);
        var key = await PromptSetup.KeyAsync(env.Gateway, "pin");
        using var http = new HttpClient();
        var executor = new GatewayCaseExecutor(http, new GatewayExecutorOptions { BaseUrl = env.Gateway.BaseUrl, ApiKey = key, Stream = stream });
        var config = new EvalConfig
        {
            Datasets = ["mixed.jsonl"],
            Metrics = [new MetricDefinition { Name = "accuracy", Gate = MetricGate.HigherIsBetter(0.02) }],
        };
        var target = new PromptTarget(name, 1);

        var result = await new EvalRunner(executor, ScorerRegistry.CreateDefault(), new EvalRunnerOptions())
            .RunAsync(config, [DatasetReader.Parse(Encoding.UTF8.GetBytes(Dataset), "mixed.jsonl")], target, target, Ct);

        Assert.Empty(result.Records.Where(r => r.IsError).Select(r => $"{r.Case.Case.Id}: {r.Execution.Error}"));
        Assert.Equal(4 * 2, result.Records.Count);
        Assert.All(result.Records, r => Assert.True(r.Passed, $"{r.Case.Case.Id}: {r.Execution.Output}"));
    }
}
