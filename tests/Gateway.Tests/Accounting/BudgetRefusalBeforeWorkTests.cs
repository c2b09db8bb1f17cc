using System.Text;
using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Budgets;
using LlmGateway.Contracts.Keys;
using LlmGateway.Proxy;
using LlmGateway.Tests.Infrastructure;
using static LlmGateway.Tests.Accounting.BudgetTestKit;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// A limited key's refusal is decided before the gateway does the work it would refuse: an unpriced tool or model
/// before the prompt is tokenized, and the store's known outage before a command waits out its timeout.
/// </summary>
public sealed class BudgetRefusalBeforeWorkTests(TestEnvironment env)
{
    [Fact]
    public async Task An_unpriced_tool_is_refused_before_the_prompt_is_tokenized()
    {
        // A quarter of a megabyte of prompt and a tool type nobody priced: tokenized first, each such 400 cost the
        // gateway some 75 ms of CPU, at whatever rate the key sent them (a refusal is not remembered).
        var guard = env.Gateway.GetRequiredService<BudgetGuard>();
        var model = Model(env.Gateway);
        var text = string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 9_000));
        var body = Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{text}}"}],"tools":[{"type":"some_new_tool"}]}""");
        var (tools, toolError) = ProviderToolUse.Read(body, RequestBodyScanner.Scan(body));
        Assert.Null(toolError);
        var estimate = new PromptTokenEstimate(body, model.Encoding);
        var key = new GatewayKey("unpriced-" + Guid.NewGuid().ToString("n")[..12], "test", "test", [], Noon) { Limits = new KeyLimits(5m, null, null) };

        var (reservation, error) = await guard.ReserveAsync(key, model, estimate, 100, tools: tools);

        Assert.Null(reservation);
        Assert.Equal("tool_not_priced", error?.Body.Code);
        Assert.Equal(0, estimate.Tokenizations);
    }

    [Fact]
    public async Task A_store_known_to_be_down_is_an_outage_at_once_not_after_the_commands_timeout()
    {
        // The store's commands wait up to 30 s here: a reservation sent into the client's backlog held the request (and
        // its key's concurrency place) that long before fail-open let it through.
        await using var rig = await BudgetOutage.StartAsync(env, settings: s => s["Redis:OperationTimeoutMs"] = "30000");
        var (outage, gateway, guard, store) = rig;
        var key = new GatewayKey("outage-" + Guid.NewGuid().ToString("n")[..12], "test", "test", [], Noon) { Limits = new KeyLimits(1m, null, null) };
        outage.Relay.Cut();
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!store.IsConnected), TimeSpan.FromSeconds(5)));

        var (reservation, error) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Null(error);
        Assert.True(reservation?.LetThrough);
    }
}
