namespace LlmGateway.Budgets;

/// <summary>At stop, after the server has finished its requests: the budget slices this instance holds go back to the store.</summary>
internal sealed class SpendLeaseReturn(BudgetGuard budgets) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => budgets.ReturnLeasesAsync();
}
