namespace LlmGateway.Store;

/// <summary>
/// Connects the store before Kestrel starts accepting requests (hosted services start first),
/// and closes it, stopping embedded Garnet, after the server has drained.
/// </summary>
internal sealed class StoreStartupService(GatewayStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await store.DisposeAsync();
}
