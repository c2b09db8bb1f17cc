using LlmGateway.Accounting;
using LlmGateway.Auth;
using LlmGateway.Budgets;
using LlmGateway.Contracts.Keys;
using LlmGateway.Telemetry;
using LlmGateway.Tests.Infrastructure;
using LlmGateway.Tests.Security;
using static LlmGateway.Tests.Accounting.BudgetTestKit;

namespace LlmGateway.Tests.Accounting;

/// <summary>
/// <c>gateway.budgets.overrun_tokens</c> flags a reservation that was not an upper bound. A request whose provider reads
/// input the body does not show (a stored conversation, a file by id, its tools' results) is expected to pass its body's
/// bound: no overrun, or every agent-style request would flood the metric and the log.
/// </summary>
public sealed class BudgetOverrunTests(TestEnvironment env)
{
    [Theory]
    [InlineData(false, 10, true)]
    [InlineData(true, 10, false)]
    [InlineData(true, 101, true)]
    public async Task Reported_tokens_past_the_reservation_are_an_overrun_unless_only_input_the_body_does_not_show_passed_it(bool readsUnseenInput, long output, bool overrun)
    {
        await using var gateway = await GatewayHost.StartAsync(env.GatewaySettings());
        var guard = gateway.GetRequiredService<BudgetGuard>();
        using var counted = new SamplingCounterTotal(gateway.GetRequiredService<GatewayMetrics>().BudgetOverruns);
        var key = new GatewayKey("overrun-" + Guid.NewGuid().ToString("n")[..12], "test", "test", [], Noon) { Limits = new KeyLimits(1m, null, null) };

        var (reservation, error) = await guard.ReserveAsync(key, Model(gateway), Estimate(gateway), 100, readsUnseenInput);
        Assert.Null(error);
        await guard.SettleAsync(reservation!, new AccountingRecord("gpt-4o-mini", 50_000, 0, output, 0, AccountingRecord.Reported, 0.0075m, "stop"));

        Assert.Equal(readsUnseenInput, reservation!.BodyBoundOnly);
        Assert.Equal(overrun, counted.Total > 0);
    }
}
