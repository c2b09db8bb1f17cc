using Microsoft.Extensions.Options;

namespace LlmGateway.Budgets;

/// <summary>
/// Brings the store's budget counters up to what this instance knows. While it runs, it retries the overruns the store
/// could not count (every <see cref="BudgetOptions.SettlementRetryInterval"/>, when any wait). At stop, after the server
/// has finished its requests, it gives the unspent slices back and makes a last try at the overruns still waiting.
/// </summary>
internal sealed class BudgetReconciler(BudgetGuard budgets, IOptions<BudgetOptions> options, TimeProvider time, ILogger<BudgetReconciler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.SettlementRetryInterval, time, stoppingToken);
                if (budgets.PendingSettlements > 0)
                {
                    // Failures are logged and kept inside; nothing a retry meets may stop the loop (or the host).
                    await budgets.RetrySettlementsAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (await budgets.ReturnLeasesAsync() is > 0 and var lost)
        {
            BudgetLog.SettlementsLost(logger, lost);
        }
    }
}
